import { Router } from 'express';
import { notFound } from '../../lib/errors';
import type { Database } from '../../store/database';
import { getCommentContext } from '../../store/moderation.repository';
import { requireApiToken } from '../middleware/auth';

/** Read API for the CMS and operators (bearer token); the webhook POST stays HMAC-signed. */
export function apiRoutes(deps: { db: Database }): Router {
  const router = Router();
  router.get('/api/comments/:id', requireApiToken(deps.db), async (req, res) => {
    const id = String(req.params.id);
    const context = /^[A-Za-z0-9-]{1,64}$/.test(id) ? await getCommentContext(deps.db, id) : null;
    if (!context) throw notFound('No such comment');
    const { item, current, machine } = context;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      id: item.id,
      status: item.status,
      decision: item.decision,
      decidedBy: item.decidedBy,
      language: item.language,
      scores: (current ?? machine)?.scores ?? {},
      reasons: (current ?? machine)?.reasons ?? [],
      machineReasons: machine?.reasons ?? [],
      modelVersion: machine?.modelVersion ?? null,
      policyVersion: machine?.policyVersion ?? null,
    });
  });
  return router;
}
