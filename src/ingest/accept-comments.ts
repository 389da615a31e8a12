import type { Queue } from 'bullmq';
import type { IncomingComment } from '../domain/comment';
import { serviceUnavailable } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { enqueueScore } from '../queue/producers';
import { saveComments, type SaveOutcome, type SavedComment } from '../store/comments.repository';
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

/** Comments per `saveComments` call: a large page is stored in a few multi-row writes. */
const STORE_CHUNK = 500;

/**
 * Write first, then enqueue: a comment we answered for is in the store even if Redis is down,
 * and the sweeper enqueues it once PENDING_SWEEP_AFTER_MS have passed. The caller still learns about the outage (503) so it can retry.
 */
export async function acceptComments(deps: AcceptDeps, comments: IncomingComment[]): Promise<AcceptedComment[]> {
  const saved = await storeComments(deps.db, comments);
  await enqueueSaved(deps, saved);
  return saved.map(toAccepted);
}

export async function storeComments(db: Database, comments: IncomingComment[]): Promise<SavedComment[]> {
  const storable = comments.map(withoutNulCharacters);
  const saved: SavedComment[] = [];
  for (let i = 0; i < storable.length; i += STORE_CHUNK) saved.push(...(await saveComments(db, storable.slice(i, i + STORE_CHUNK))));
  return saved;
}

/**
 * PostgreSQL text cannot hold U+0000. The webhook refuses it (400); pages, feeds and the
 * WordPress API can still carry one, and browsers drop it when they render, so we do too.
 */
function withoutNulCharacters(comment: IncomingComment): IncomingComment {
  const strip = <T extends string | null>(value: T): T => (value?.includes('\u0000') ? (value.replaceAll('\u0000', '') as T) : value);
  return {
    ...comment,
    siteId: strip(comment.siteId),
    articleUrl: strip(comment.articleUrl),
    articleTitle: strip(comment.articleTitle),
    sourceId: strip(comment.sourceId),
    parentSourceId: strip(comment.parentSourceId),
    author: strip(comment.author),
    text: strip(comment.text),
  };
}

/** One BullMQ call for all the pending comments; throws the 503 the caller should answer. */
export async function enqueueSaved(deps: AcceptDeps, saved: SavedComment[]): Promise<void> {
  const toScore = new Map<string, string>();
  for (const { comment } of saved) if (comment.status === 'pending') toScore.set(comment.id, comment.textHash);
  try {
    await enqueueScore(
      deps.scoreQueue,
      [...toScore].map(([commentId, textHash]) => ({ commentId, textHash })),
      'live',
    );
  } catch (err) {
    deps.logger.warn({ err, comments: toScore.size }, 'enqueue failed; comments stay pending for the sweeper');
    throw serviceUnavailable('Queue unavailable; the comment is stored and will be scored, retry later', err);
  }
}

export const toAccepted = ({ comment, outcome }: SavedComment): AcceptedComment => ({ id: comment.id, status: comment.status, outcome });
