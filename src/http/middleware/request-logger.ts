import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../lib/logger';

declare module 'express-serve-static-core' {
  interface Request {
    log: Logger;
    id: string;
  }
}

/** A child logger per request; logs method, path, status and duration, never bodies. */
export function requestLogger(root: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    req.id = randomUUID();
    req.log = root.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
