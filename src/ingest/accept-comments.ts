import type { Queue } from 'bullmq';
import type { IncomingComment } from '../domain/comment';
import { serviceUnavailable } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { enqueueScore } from '../queue/producers';
import { saveComment, type SaveOutcome } from '../store/comments.repository';
import type { Database } from '../store/database';

export interface AcceptDeps {
  db: Database;
  scoreQueue: Queue;
  logger: Logger;
}

export interface AcceptedComment {
  id: string;
  status: string;
  outcome: SaveOutcome;
}

/**
 * Write first, then enqueue: a comment we answered for is in the store even if Redis is down,
 * and the sweeper enqueues it once PENDING_SWEEP_AFTER_MS have passed. The caller still learns about the outage (503) so it can retry.
 */
export async function acceptComments(deps: AcceptDeps, comments: IncomingComment[]): Promise<AcceptedComment[]> {
  const accepted: AcceptedComment[] = [];
  const toScore: { commentId: string; textHash: string }[] = [];
  for (const incoming of comments) {
    const { comment, outcome } = await saveComment(deps.db, incoming);
    accepted.push({ id: comment.id, status: comment.status, outcome });
    if (comment.status === 'pending') toScore.push({ commentId: comment.id, textHash: comment.textHash });
  }
  try {
    await enqueueScore(deps.scoreQueue, toScore, 'live');
  } catch (err) {
    deps.logger.warn({ err, comments: toScore.length }, 'enqueue failed; comments stay pending for the sweeper');
    throw serviceUnavailable('Queue unavailable; the comment is stored and will be scored, retry later', err);
  }
  return accepted;
}
