import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { TriageResult } from '../src/domain/decision';
import type { Logger } from '../src/lib/logger';
import type { Metrics } from '../src/lib/metrics';
import type { ScoringPool } from '../src/operations/scoring-pool';
import { QUEUE_NAMES } from '../src/queue/names';
import { enqueueNotify } from '../src/queue/producers';
import { scoreJobSchema, type ScoreJob } from '../src/queue/score-job.schema';
import { createMicroBatcher } from '../src/scoring/batcher';
import { getTextsForScoring } from '../src/store/comments.repository';
import type { Database } from '../src/store/database';
import { saveMachineDecision, saveMachineDecisions, type SaveDecisionOutcome } from '../src/store/decisions.repository';

/** What the worker needs from scoring: texts in, triage results out, in order. */
export interface TriageEngine {
  readonly modelVersion: string;
  readonly policyVersion: string;
  scoreTexts(items: { id?: string; text: string }[]): Promise<TriageResult[]>;
}

export interface ScoreWorkerOptions {
  connection: IORedis;
  db: Database;
  engine: TriageEngine;
  logger: Logger;
  prefix: string;
  concurrency: number;
  /** Texts scored per model call; jobs running concurrently share one call. */
  maxBatchSize?: number;
  maxBatchWaitMs?: number;
  /** When the CMS wants decisions back (CALLBACK_URL), each new current decision is queued here. */
  notifyQueue?: Queue;
  metrics?: Metrics;
  /** BullMQ lock duration; also how soon a crashed worker's jobs are taken over. */
  lockDurationMs?: number;
  /**
   * Scoring threads running the same engine (WORKER_SCORING_THREADS): texts are scored there
   * instead of with `engine`, and one more batch than there are threads runs at once, so this
   * thread reads and writes batches while others are scored. The worker does not close it.
   */
  scoringPool?: ScoringPool;
}

export interface ScoreJobResult {
  outcome: SaveDecisionOutcome;
  decision?: TriageResult['decision'];
}

/**
 * Created with autorun off: the caller loads the models first, then calls `worker.run()`, so no
 * job is taken by a worker that cannot score it yet.
 */
export function createScoreWorker(options: ScoreWorkerOptions): { worker: Worker<ScoreJob, ScoreJobResult>; close(): Promise<void> } {
  // One batch = one query for the texts, one call per scorer, one transaction for the decisions.
  const engine = options.scoringPool ? withFallback(options.scoringPool, options.engine, options.logger) : options.engine;
  const batcher = createMicroBatcher<ScoreJob, ScoreJobResult>({
    maxBatchSize: options.maxBatchSize ?? 64,
    maxWaitMs: options.maxBatchWaitMs ?? 5,
    maxConcurrentBatches: options.scoringPool ? options.scoringPool.threads + 1 : 1,
    run: (jobs) => scoreAndSave(options, engine, jobs),
  });
  // Per job, only when something is written: a child logger costs a serialisation of its bindings.
  const jobLog = (job: Job<ScoreJob, ScoreJobResult>) =>
    options.logger.child({ jobId: job.id, commentId: job.data?.commentId, attempt: job.attemptsMade + 1 });

  const processScoreJob = async (job: Job<ScoreJob, ScoreJobResult>): Promise<ScoreJobResult> => {
    const parsed = scoreJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid score job payload: ${parsed.error.issues[0]?.message}`);
    const { commentId, textHash } = parsed.data;
    let result: ScoreJobResult;
    try {
      result = await batcher.submit(parsed.data);
    } catch (err) {
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) {
        await sendToHumanReview(options, commentId, textHash, err);
        jobLog(job).error({ err }, 'scoring failed on the last attempt; sent to human review');
      } else {
        jobLog(job).warn({ err }, 'scoring failed; will retry');
      }
      throw err;
    }
    if (result.outcome === 'missing') throw new UnrecoverableError(`comment ${commentId} does not exist`);
    if (options.logger.isLevelEnabled('info')) jobLog(job).info({ decision: result.decision, outcome: result.outcome }, 'scored');
    return result;
  };

  const worker = new Worker<ScoreJob, ScoreJobResult>(QUEUE_NAMES.score, processScoreJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: false,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.lockDurationMs ?? 30_000,
  });
  worker.on('error', (err) => options.logger.error({ err }, 'score worker error'));
  worker.on('stalled', (jobId) => options.logger.warn({ jobId }, 'job stalled; it will be retried'));
  return {
    worker,
    close: async () => {
      await worker.close();
      await batcher.close();
    },
  };
}

async function scoreAndSave(options: ScoreWorkerOptions, engine: TriageEngine, jobs: ScoreJob[]): Promise<ScoreJobResult[]> {
  const texts = await getTextsForScoring(
    options.db,
    jobs.map((j) => j.commentId),
  );
  // A job whose text changed since it was queued is left to the newer job.
  const current = jobs.filter((j) => texts.get(j.commentId)?.textHash === j.textHash);
  const stopTimer = options.metrics?.scoringLatency.startTimer();
  const results = await engine.scoreTexts(current.map((j) => ({ text: texts.get(j.commentId)!.text })));
  stopTimer?.();
  options.metrics?.batchSize.observe(current.length);
  const saved = await saveMachineDecisions(
    options.db,
    current.map((job, i) => ({ commentId: job.commentId, textHash: job.textHash, result: results[i] })),
  );
  const byJob = new Map<ScoreJob, ScoreJobResult>();
  const notifications: Promise<void>[] = [];
  for (const [i, job] of current.entries()) {
    const outcome = saved[i];
    // Also on 'duplicate': a previous attempt may have saved the decision and died before notifying.
    if (options.notifyQueue && outcome.decisionId && outcome.isCurrent) {
      notifications.push(enqueueNotify(options.notifyQueue, { commentId: job.commentId, decisionId: outcome.decisionId }));
    }
    if (outcome.outcome === 'saved') recordDecision(options.metrics, results[i]);
    byJob.set(job, { outcome: outcome.outcome, decision: results[i].decision });
  }
  // Sent together (one round trip's wait, not one per job); any failure fails the batch, which is retried.
  await Promise.all(notifications);
  return jobs.map((job) => byJob.get(job) ?? { outcome: texts.has(job.commentId) ? 'stale' : 'missing' });
}

/** A scoring thread that died (or failed a batch) leaves the batch to the main thread's engine. */
function withFallback(pool: ScoringPool, engine: TriageEngine, logger: Logger): TriageEngine {
  let warned = false;
  return {
    modelVersion: engine.modelVersion,
    policyVersion: engine.policyVersion,
    scoreTexts: (items) =>
      pool.scoreTexts(items).catch((err: unknown) => {
        if (!warned) logger.warn({ err: (err as Error)?.message ?? String(err) }, 'scoring thread failed; scoring on the main thread');
        warned = true;
        return engine.scoreTexts(items);
      }),
  };
}

function recordDecision(metrics: Metrics | undefined, result: TriageResult): void {
  if (!metrics) return;
  metrics.decisions.inc({ decision: result.decision });
  for (const label of new Set(result.reasons.map((r) => r.label).filter((l) => l !== undefined))) metrics.flags.inc({ label });
}

/** Fail closed: a comment that cannot be scored is never approved silently. */
async function sendToHumanReview(options: ScoreWorkerOptions, commentId: string, textHash: string, err: unknown) {
  const saved = await saveMachineDecision(options.db, {
    commentId,
    textHash,
    status: 'failed',
    result: {
      language: 'other',
      decision: 'review',
      scores: {},
      reasons: [{ code: 'scoring_failed', message: `Scoring failed: ${(err as Error)?.message ?? String(err)}` }],
      spans: [],
      modelVersion: `failed:${options.engine.modelVersion}`,
      policyVersion: options.engine.policyVersion,
    },
  });
  if (options.notifyQueue && saved.decisionId && saved.isCurrent) {
    await enqueueNotify(options.notifyQueue, { commentId, decisionId: saved.decisionId });
  }
}
