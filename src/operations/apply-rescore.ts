import { createHash } from 'node:crypto';
import type { Queue, QueueEvents } from 'bullmq';
import type IORedis from 'ioredis';
import type { Decision } from '../domain/decision';
import type { Logger } from '../lib/logger';
import { enqueueScore } from '../queue/producers';
import { scoreJobId, type ScoreJob } from '../queue/score-job.schema';
import type { Queryable } from '../store/database';
import { listSelectionPage, type RescoreTarget } from '../store/rescore.repository';
import type { CommentFilter } from './comment-filter';
import { flipKey } from './decision-change';

/**
 * Names a rescore target in job ids: the same model and policy give the same ids (an interrupted
 * run's queued jobs are found again, not duplicated), a new policy gives new ones.
 */
export function rescoreRunId(target: RescoreTarget): string {
  return createHash('sha256').update(`${target.modelVersion}\n${target.policyVersion}`).digest('hex').slice(0, 16);
}

export interface ApplyRescoreReport {
  mode: 'apply';
  modelVersion: string;
  policyVersion: string;
  runId: string;
  selected: number;
  /** decided by a moderator: never enqueued */
  moderated: number;
  /** already decided by the target model and policy (an earlier run finished them) */
  upToDate: number;
  /** new jobs added at batch priority */
  enqueued: number;
  /** jobs of an earlier, interrupted run still queued: followed, not added twice */
  alreadyQueued: number;
  /** jobs of an earlier run that had failed: removed and added again */
  retriedFailed: number;
  /** jobs that finished (completed or failed) during this run, or had finished before it */
  finished: number;
  /** worker outcomes: saved, duplicate, stale, moderated, missing, failed */
  outcomes: Record<string, number>;
  /** "approve→review": count, among saved decisions */
  flips: Record<string, number>;
  /** still queued when the command returned (--no-follow, or interrupted) */
  pending: number;
  followed: boolean;
  interrupted: boolean;
  durationMs: number;
}

export interface ApplyRescoreOptions {
  db: Queryable;
  queue: Queue;
  /** the connection `queue` uses: job states are read with pipelined commands */
  redis: IORedis;
  /** a QueueEvents on the score queue reading from `lastEventId` (the caller owns its connection) */
  openEvents: (lastEventId: string) => QueueEvents;
  filter: CommentFilter;
  target: RescoreTarget;
  /** wait for the workers to finish the jobs (default true) */
  follow?: boolean;
  pageSize?: number;
  /** no event for this long while jobs are pending: ask Redis directly which finished */
  reconcileAfterMs?: number;
  onProgress?: (finished: number, enqueuedSoFar: number) => void;
  signal?: AbortSignal;
  logger: Logger;
}

type JobPresence = 'absent' | 'pending' | 'completed' | 'failed';

const ENQUEUE_CHUNK = 250;

/**
 * Does each job exist, and did it finish? One round trip for the existence of the whole page, a
 * second only for the jobs that exist (on a first run, none do).
 */
async function jobPresence(queue: Queue, redis: IORedis, ids: string[]): Promise<JobPresence[]> {
  if (ids.length === 0) return [];
  const existence = redis.pipeline();
  for (const id of ids) existence.exists(queue.toKey(id));
  const exists = ((await existence.exec()) ?? []).map((reply) => Boolean(reply?.[1]));
  const presence: JobPresence[] = ids.map(() => 'absent');
  const present = ids.flatMap((_, i) => (exists[i] ? [i] : []));
  if (present.length === 0) return presence;
  const states = redis.pipeline();
  const completed = queue.toKey('completed');
  const failed = queue.toKey('failed');
  for (const i of present) {
    states.zscore(completed, ids[i]);
    states.zscore(failed, ids[i]);
  }
  const replies = (await states.exec()) ?? [];
  present.forEach((i, k) => {
    const [inCompleted, inFailed] = [replies[2 * k]?.[1], replies[2 * k + 1]?.[1]];
    if (inCompleted !== null && inCompleted !== undefined) presence[i] = 'completed';
    else if (inFailed !== null && inFailed !== undefined) presence[i] = 'failed';
    else presence[i] = 'pending';
  });
  return presence;
}

/**
 * Enqueues the selection for the score workers at batch priority (live comments keep
 * precedence) and follows the jobs to completion through the queue's events. Moderated comments
 * and comments the target already decided are skipped, so re-running after an interruption only
 * does what is left. A page is added in a few atomic addBulk calls and Ctrl-C is only heeded
 * between pages, so stopping leaves no partial page.
 */
export async function applyRescore(options: ApplyRescoreOptions): Promise<ApplyRescoreReport> {
  const started = Date.now();
  const follow = options.follow ?? true;
  const pageSize = options.pageSize ?? 1_000;
  const runId = rescoreRunId(options.target);
  const jobPrefix = `rescore-${runId}-`;
  const report: ApplyRescoreReport = {
    mode: 'apply',
    modelVersion: options.target.modelVersion,
    policyVersion: options.target.policyVersion,
    runId,
    selected: 0,
    moderated: 0,
    upToDate: 0,
    enqueued: 0,
    alreadyQueued: 0,
    retriedFailed: 0,
    finished: 0,
    outcomes: {},
    flips: {},
    pending: 0,
    followed: follow,
    interrupted: false,
    durationMs: 0,
  };

  /** job id → the comment's decision before this run (for the flips) */
  const pending = new Map<string, Decision | null>();
  /** finished jobs of this target seen before their page was enqueued */
  const finishedEarly = new Set<string>();
  let lastEventAt = Date.now();
  let progressed: () => void = () => undefined;
  const progress = () => {
    options.onProgress?.(report.finished, report.enqueued + report.alreadyQueued + report.retriedFailed);
    progressed();
  };
  const finish = (jobId: string, outcome: string, decision?: Decision) => {
    lastEventAt = Date.now();
    if (!pending.has(jobId)) {
      finishedEarly.add(jobId);
      return;
    }
    const before = pending.get(jobId) ?? null;
    pending.delete(jobId);
    report.finished++;
    report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
    if (outcome === 'saved' && decision && before !== decision) {
      const key = flipKey(before, decision);
      report.flips[key] = (report.flips[key] ?? 0) + 1;
    }
    progress();
  };

  let events: QueueEvents | undefined;
  if (follow) {
    // Read events from the stream's current end, fetched before the first job is added, so no
    // completion can slip between "subscribed" and "enqueued".
    const last = (await options.redis.xrevrange(options.queue.keys.events, '+', '-', 'COUNT', 1)) as [string, string[]][];
    events = options.openEvents(last[0]?.[0] ?? '0-0');
    events.on('completed', ({ jobId, returnvalue }) => {
      if (!jobId.startsWith(jobPrefix)) return;
      const value = (typeof returnvalue === 'string' ? safeParse(returnvalue) : returnvalue) as { outcome?: string; decision?: Decision } | null;
      finish(jobId, value?.outcome ?? 'completed', value?.decision);
    });
    events.on('failed', ({ jobId }) => {
      if (jobId.startsWith(jobPrefix)) finish(jobId, 'failed');
    });
    events.on('error', (err) => options.logger.debug({ err: err.message }, 'queue events error'));
    await events.waitUntilReady();
  }

  try {
    let afterId: string | undefined;
    for (;;) {
      if (options.signal?.aborted) {
        report.interrupted = true;
        break;
      }
      const page = await listSelectionPage(options.db, options.filter, options.target, { limit: pageSize, afterId });
      if (page.length === 0) break;
      afterId = page[page.length - 1].id;
      report.selected += page.length;
      const candidates: { job: ScoreJob; jobId: string; decision: Decision | null }[] = [];
      for (const comment of page) {
        if (comment.moderated) report.moderated++;
        else if (comment.upToDate) report.upToDate++;
        else {
          const job: ScoreJob = { commentId: comment.id, textHash: comment.textHash, runId };
          candidates.push({ job, jobId: scoreJobId(job, 'rescore'), decision: comment.decision });
        }
      }
      const presence = await jobPresence(
        options.queue,
        options.redis,
        candidates.map((c) => c.jobId),
      );
      const toAdd: ScoreJob[] = [];
      for (let i = 0; i < candidates.length; i++) {
        const { job, jobId, decision } = candidates[i];
        const state = presence[i];
        if (state === 'completed') {
          // Finished earlier without a target decision (text edited since, comment moderated meanwhile…).
          report.finished++;
          report.outcomes.earlier = (report.outcomes.earlier ?? 0) + 1;
          continue;
        }
        if (state === 'failed') {
          await options.queue.remove(jobId);
          report.retriedFailed++;
        } else if (state === 'pending') {
          report.alreadyQueued++;
        } else {
          report.enqueued++;
        }
        if (follow && finishedEarly.delete(jobId) && state === 'pending') {
          report.finished++;
          report.outcomes.completed = (report.outcomes.completed ?? 0) + 1;
          continue;
        }
        if (follow) pending.set(jobId, decision);
        if (state !== 'pending') toAdd.push(job);
      }
      // enqueueScore gives up after a couple of seconds (it answers HTTP requests); smaller calls
      // stay well inside that on a busy Redis.
      for (let i = 0; i < toAdd.length; i += ENQUEUE_CHUNK) {
        await enqueueScore(options.queue, toAdd.slice(i, i + ENQUEUE_CHUNK), 'batch');
      }
      progress();
      if (page.length < pageSize) break;
    }

    if (follow) await waitForPending(options, pending, () => lastEventAt, (fn) => (progressed = fn), (jobId) => finish(jobId, 'completed'));
    if (options.signal?.aborted) report.interrupted = true;
  } finally {
    report.pending = follow ? pending.size : report.enqueued + report.alreadyQueued + report.retriedFailed;
    await events?.close().catch(() => undefined);
  }
  report.durationMs = Date.now() - started;
  return report;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Resolves when every pending job finished, or on abort. If no event arrives for a while (the
 * events stream is capped and a slow reader can miss some), asks Redis which jobs are done.
 */
async function waitForPending(
  options: ApplyRescoreOptions,
  pending: Map<string, Decision | null>,
  lastEventAt: () => number,
  onProgress: (fn: () => void) => void,
  markFinished: (jobId: string) => void,
): Promise<void> {
  const reconcileAfterMs = options.reconcileAfterMs ?? 5_000;
  let wake: () => void = () => undefined;
  const onAbort = () => wake();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  onProgress(() => pending.size === 0 && wake());
  try {
    while (pending.size > 0 && !options.signal?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (pending.size > 0 && Date.now() - lastEventAt() >= reconcileAfterMs && !options.signal?.aborted) {
        const ids = [...pending.keys()];
        for (let i = 0; i < ids.length; i += 5_000) {
          const chunk = ids.slice(i, i + 5_000);
          const presence = await jobPresence(options.queue, options.redis, chunk);
          // Absent = completed and already removed (removeOnComplete); either way, the worker is done with it.
          chunk.forEach((id, j) => presence[j] !== 'pending' && markFinished(id));
        }
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    onProgress(() => undefined);
  }
}
