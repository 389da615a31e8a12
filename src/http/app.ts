import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Queue } from 'bullmq';
import { notFound } from '../lib/errors';
import { packageRoot } from '../lib/package-root';
import type { Logger } from '../lib/logger';
import type { Database } from '../store/database';
import { errorHandler } from './middleware/error-handler';
import { requestLogger } from './middleware/request-logger';
import { commentsRoutes } from './routes/comments.routes';
import { dashboardRoutes } from './routes/dashboard.routes';
import { healthRoutes, type ReadinessCheck } from './routes/health.routes';

export interface AppDeps {
  db: Database;
  scoreQueue: Queue;
  webhookSecret: string;
  logger: Logger;
  readiness?: Record<string, ReadinessCheck>;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
    }),
  );
  app.use(requestLogger(deps.logger));
  app.use('/static', express.static(path.join(packageRoot(), 'src', 'http', 'static'), { maxAge: '1h' }));
  app.use(healthRoutes(deps.readiness ?? {}));
  app.use(commentsRoutes(deps));
  app.use(dashboardRoutes(deps));
  app.use((_req, _res, next) => next(notFound()));
  app.use(errorHandler());
  return app;
}
