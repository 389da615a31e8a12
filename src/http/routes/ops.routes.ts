import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import type { Metrics } from '../../lib/metrics';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** Prometheus text format, scraped from inside the publisher's network. */
export function metricsRoutes(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

/** bull-board for operators; `guard` keeps it to admins. */
export function queueBoardRoutes(queues: Queue[], guard: RequestHandler): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })), serverAdapter });
  const router = Router();
  router.use(
    QUEUE_BOARD_PATH,
    guard,
    (_req, res, next) => {
      // bull-board's React UI sets inline styles; scripts stay 'self' only.
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      next();
    },
    serverAdapter.getRouter(),
  );
  return router;
}
