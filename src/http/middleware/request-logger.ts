import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../lib/logger';

declare module 'express-serve-static-core' {
  interface Request {
    log: Logger;
    id: string;
  }
}

/**
 * A child logger per request; logs one line per request with method, path, status and duration
 * (plus what the handler added with `addToRequestLog`), never bodies. Below info level the line is
 * not even assembled (reading req.path parses the URL again).
 */
export function requestLogger(root: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    req.id = randomUUID();
    req.log = root.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    res.on('finish', () => {
      if (!root.isLevelEnabled('info')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const added = res.locals.requestLog as Record<string, unknown> | undefined;
      req.log.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, ...added }, 'request');
    });
    next();
  };
}

/** Fields for this request's log line (ids it created…): one line per request, not one per step. */
export function addToRequestLog(res: Response, fields: Record<string, unknown>): void {
  res.locals.requestLog = { ...(res.locals.requestLog as Record<string, unknown> | undefined), ...fields };
}
