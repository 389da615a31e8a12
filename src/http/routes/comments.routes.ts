import express, { Router } from 'express';
import type { Queue } from 'bullmq';
import { acceptComments } from '../../ingest/accept-comments';
import { MAX_WEBHOOK_BODY_BYTES, parseWebhookPayload, toIncomingComment } from '../../ingest/webhook/payload.schema';
import { SIGNATURE_HEADER, verifySignature } from '../../ingest/webhook/signature';
import { AppError, badRequest, unauthorized } from '../../lib/errors';
import type { Database } from '../../store/database';

export interface CommentsRoutesDeps {
  db: Database;
  scoreQueue: Queue;
  webhookSecret: string;
}

/** The CMS webhook: signed JSON in, 202 with Vigie's id out. */
export function commentsRoutes(deps: CommentsRoutesDeps): Router {
  const router = Router();
  router.post(
    '/api/comments',
    express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY_BYTES }),
    async (req, res) => {
      const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifySignature(deps.webhookSecret, req.get(SIGNATURE_HEADER), raw);
      if (!check.ok) throw unauthorized(`Invalid signature (${check.reason})`);
      if (!req.is('application/json')) {
        throw new AppError('unsupported_media_type', 415, 'Content-Type must be application/json');
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest('Body is not valid JSON');
      }
      const parsed = parseWebhookPayload(json);
      if (!parsed.ok) throw badRequest(`Invalid field ${parsed.field}: ${parsed.message}`, { field: parsed.field });
      const accepted = await acceptComments(
        { db: deps.db, scoreQueue: deps.scoreQueue, logger: req.log },
        parsed.items.map(toIncomingComment),
      );
      req.log.info({ comments: accepted.map((a) => a.id) }, 'comments accepted');
      const body = accepted.map((a) => ({ id: a.id, status: a.status }));
      res.status(202).json(parsed.batch ? { comments: body } : body[0]);
    },
  );
  return router;
}
