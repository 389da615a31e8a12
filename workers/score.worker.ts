import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { TriageResult } from '../src/domain/decision';
import type { Logger } from '../src/lib/logger';
import type { Metrics } from '../src/lib/metrics';
import { QUEUE_NAMES } from '../src/queue/names';
import { enqueueNotify } from '../src/queue/producers';
import { scoreJobSchema, type ScoreJob } from '../src/queue/score-job.schema';
import { createMicroBatcher } from '../src/scoring/batcher';
import { getComment } from '../src/store/comments.repository';
import type { Database } from '../src/store/database';
import { saveMachineDecision, type SaveDecisionOutcome } from '../src/store/decisions.repository';

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
  const batcher = createMicroBatcher<string, TriageResult>({
    maxBatchSize: options.maxBatchSize ?? 64,
    maxWaitMs: options.maxBatchWaitMs ?? 5,
    run: async (texts) => {
      const stopTimer = options.metrics?.scoringLatency.startTimer();
      const results = await options.engine.scoreTexts(texts.map((text) => ({ text })));
      stopTimer?.();
      options.metrics?.batchSize.observe(texts.length);
      return results;
    },
  });

  const processScoreJob = async (job: Job<ScoreJob, ScoreJobResult>): Promise<ScoreJobResult> => {
    const log = options.logger.child({ jobId: job.id, commentId: job.data?.commentId, attempt: job.attemptsMade + 1 });
    const parsed = scoreJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid score job payload: ${parsed.error.issues[0]?.message}`);
    const { commentId, textHash } = parsed.data;
    const comment = await getComment(options.db, commentId);
    if (!comment) throw new UnrecoverableError(`comment ${commentId} does not exist`);
    if (comment.textHash !== textHash) {
      log.debug('text changed since enqueue; the newer job decides');
      return { outcome: 'stale' };
    }
    try {
      const result = await batcher.submit(comment.text);
      const saved = await saveMachineDecision(options.db, { commentId, textHash, result });
      // Also on 'duplicate': a previous attempt may have saved the decision and died before this line.
      if (options.notifyQueue && saved.decisionId && saved.isCurrent) {
        await enqueueNotify(options.notifyQueue, { commentId, decisionId: saved.decisionId });
      }
      if (saved.outcome === 'saved') recordDecision(options.metrics, result);
      log.info({ decision: result.decision, outcome: saved.outcome, scores: result.scores }, 'scored');
      return { outcome: saved.outcome, decision: result.decision };
    } catch (err) {
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) {
        await sendToHumanReview(options, commentId, textHash, err);
        log.error({ err }, 'scoring failed on the last attempt; sent to human review');
      } else {
        log.warn({ err }, 'scoring failed; will retry');
      }
      throw err;
    }
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
