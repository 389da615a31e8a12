import { Router, type Response } from 'express';
import type { Queue } from 'bullmq';
import { createGroupCommit } from '../../ingest/webhook/group-commit';
import { MAX_WEBHOOK_BODY_BYTES, parseWebhookPayload, toIncomingComment } from '../../ingest/webhook/payload.schema';
import { SIGNATURE_HEADER, verifySignature } from '../../ingest/webhook/signature';
import { AppError, badRequest, unauthorized } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { Database } from '../../store/database';
import { readRawBody } from '../middleware/raw-body';
import { addToRequestLog } from '../middleware/request-logger';

export interface CommentsRoutesDeps {
  db: Database;
  scoreQueue: Queue;
  webhookSecret: string;
  logger: Logger;
}

/** The CMS webhook: signed JSON in, 202 with Vigie's id out. */
export function commentsRoutes(deps: CommentsRoutesDeps): Router {
  const router = Router();
  // Concurrent posts share one database write and one enqueue (each is still answered on its own).
  const groupCommit = createGroupCommit({ db: deps.db, scoreQueue: deps.scoreQueue, logger: deps.logger });
  router.post('/api/comments', async (req, res) => {
    const raw = await readRawBody(req, MAX_WEBHOOK_BODY_BYTES);
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
    const accepted = await groupCommit.accept(parsed.items.map(toIncomingComment));
    addToRequestLog(res, { comments: accepted.map((a) => a.id) });
    const body = accepted.map((a) => ({ id: a.id, status: a.status }));
    sendJson(res, 202, parsed.batch ? { comments: body } : body[0]);
  });
  return router;
}

/** `res.json()` without the ETag it would hash for every answer: the CMS never revalidates a POST. */
function sendJson(res: Response, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(JSON.stringify(body));
}
