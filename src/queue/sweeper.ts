import type { Queue } from 'bullmq';
import type { Logger } from '../lib/logger';
import { findStalePending, markEnqueued } from '../store/comments.repository';
import type { Database } from '../store/database';
import { enqueueScore } from './producers';

export interface SweeperOptions {
  db: Database;
  scoreQueue: Queue;
  logger: Logger;
  /** A pending comment older than this (since its last enqueue) is enqueued again. */
  olderThanMs: number;
  intervalMs?: number;
  batchSize?: number;
}

/**
 * Re-enqueues comments that are still pending when they should not be: enqueue failed while
 * Redis was down, or the job was lost. Job ids derive from the comment, so a job that is in fact
 * still queued is not duplicated.
 */
export async function sweepPendingOnce(options: SweeperOptions): Promise<number> {
  const batchSize = options.batchSize ?? 1_000;
  let total = 0;
  for (;;) {
    const stale = await findStalePending(options.db, options.olderThanMs, batchSize);
    if (stale.length === 0) break;
    await enqueueScore(
      options.scoreQueue,
      stale.map((s) => ({ commentId: s.id, textHash: s.textHash })),
      'live',
    );
    await markEnqueued(
      options.db,
      stale.map((s) => s.id),
    );
    total += stale.length;
    if (stale.length < batchSize) break;
  }
  if (total > 0) options.logger.info({ comments: total }, 'sweeper re-enqueued pending comments');
  return total;
}

export function startPendingSweeper(options: SweeperOptions): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepPendingOnce(options).catch((err) => options.logger.warn({ err }, 'sweep failed; will retry'));
  }, options.intervalMs ?? Math.max(1_000, Math.floor(options.olderThanMs / 2)));
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
