import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Queue } from 'bullmq';
import { notFound } from '../lib/errors';
import { packageRoot } from '../lib/package-root';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { Database } from '../store/database';
import { createLocalHub, type LiveHub } from './live/hub';
import { loadSession, requireRole } from './middleware/auth';
import { errorHandler } from './middleware/error-handler';
import { requestLogger } from './middleware/request-logger';
import { apiRoutes } from './routes/api.routes';
import { authRoutes, type LoginLimits } from './routes/auth.routes';
import { commentsRoutes } from './routes/comments.routes';
import { dashboardRoutes } from './routes/dashboard.routes';
import { healthRoutes, type ReadinessCheck } from './routes/health.routes';
import { metricsRoutes, queueBoardRoutes } from './routes/ops.routes';

export interface AppDeps {
  db: Database;
  scoreQueue: Queue;
  webhookSecret: string;
  logger: Logger;
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Live updates for the dashboard (server-sent events). `createRedisHub` hears score workers on any
   * machine and shares moderator actions and presence across API processes; without one, a
   * process-local hub carries only this process's moderator actions.
   */
  live?: LiveHub;
  /** Called after each moderator decision (and undo) commits, e.g. to notify the CMS. */
  onModeratorDecision?: (commentId: string) => void | Promise<void>;
  loginLimits?: LoginLimits;
  /** Keep-alive and session re-check period of the /events stream (default 25 s). */
  sseKeepAliveMs?: number;
  /** Prometheus metrics served at /metrics. */
  metrics?: Metrics;
  /** Queues shown to admins at /admin/queues (bull-board). */
  boardQueues?: Queue[];
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger(deps.logger));
  // The CMS webhook first: it is the hot path, and browser-facing headers mean nothing to a CMS.
  app.use(commentsRoutes(deps));
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
  app.use('/static', express.static(path.join(packageRoot(), 'src', 'http', 'static'), { maxAge: '1h' }));
  app.use(healthRoutes(deps.readiness ?? {}));
  if (deps.metrics) app.use(metricsRoutes(deps.metrics));
  // Everything below knows the user (if any), the UI language and the CSRF token.
  app.use(loadSession(deps.db));
  if (deps.boardQueues?.length) app.use(queueBoardRoutes(deps.boardQueues, requireRole('admin')));
  app.use(apiRoutes(deps));
  app.use(authRoutes({ db: deps.db, loginLimits: deps.loginLimits }));
  app.use(
    dashboardRoutes({
      db: deps.db,
      hub: deps.live ?? createLocalHub(),
      logger: deps.logger,
      onModeratorDecision: deps.onModeratorDecision,
      sseKeepAliveMs: deps.sseKeepAliveMs,
    }),
  );
  app.use((_req, _res, next) => next(notFound()));
  app.use(errorHandler());
  return app;
}
