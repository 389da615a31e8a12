import { Router } from 'express';
import { listQueue } from '../../store/comments.repository';
import type { Database } from '../../store/database';
import { renderQueuePage } from '../views/queue.view';

const PAGE_SIZE = 50;

function parseCursor(value: unknown): { severity: number; id: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const [severity, id] = value.split('_');
  const n = Number(severity);
  return Number.isFinite(n) && id ? { severity: n, id } : undefined;
}

export function dashboardRoutes(deps: { db: Database }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const items = await listQueue(deps.db, {
      decisions: ['review', 'reject'],
      limit: PAGE_SIZE,
      after: parseCursor(req.query.after),
    });
    const last = items.at(-1);
    const next = items.length === PAGE_SIZE && last ? `${last.severity}_${last.id}` : null;
    res.type('html').send(renderQueuePage(items, next).value);
  });
  return router;
}
