import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { closeRedisConnection, createWorkerConnection } from '../queue/connection';
import { QUEUE_NAMES } from '../queue/names';
import { startPendingSweeper } from '../queue/sweeper';
import type { Metrics } from '../lib/metrics';
import type { ScoringEngine } from '../scoring/engine';
import type { Database } from '../store/database';
import { createNotifyWorker } from '../../workers/notify.worker';
import { createScoreWorker } from '../../workers/score.worker';
import { openWorkerScoringPool } from '../operations/scoring-pool';
import { buildTriageEngine } from './build-engine';
import type { Base } from './runtime';
import { resolveWebhookSecret } from './webhook-secret';

export interface RunningWorkers {
  engine: ScoringEngine;
  notifyQueue?: Queue;
  closeWorkers(): Promise<void>;
  /** Starts taking jobs (and sweeping); call it once the shutdown closers and signal handlers are in place. */
  start(): void;
  closeQueues(): Promise<void>;
  closeRedis(): Promise<void>;
}

/**
 * The score worker (models loaded first), the pending sweeper, and — when CALLBACK_URL is set —
 * the notify worker, all idle until `start()`: a process signalled while still starting up has
 * no job in hand. Shared by `vigie serve` and `vigie worker`.
 */
export async function startWorkers(
  base: Base,
  db: Database,
  scoreQueue: Queue,
  options: { concurrency?: number; metrics?: Metrics; scoringThreads?: number } = {},
): Promise<RunningWorkers> {
  const { config, logger } = base;
  const loadStarted = process.hrtime.bigint();
  const engine = await buildTriageEngine(config, logger);
  options.metrics?.modelLoadSeconds.set({ model: engine.modelVersion }, Number(process.hrtime.bigint() - loadStarted) / 1e9);
  const scoringPool = await openWorkerScoringPool(options.scoringThreads ?? config.WORKER_SCORING_THREADS ?? 0, config, engine, logger);
  const connections: IORedis[] = [];
  const connect = () => {
    const connection = createWorkerConnection(config.REDIS_URL);
    connection.on('error', (err) => logger.debug({ err: err.message }, 'redis worker connection error'));
    connections.push(connection);
    return connection;
  };

  let notifyQueue: Queue | undefined;
  let notifyWorker: ReturnType<typeof createNotifyWorker> | undefined;
  if (config.CALLBACK_URL) {
    notifyQueue = new Queue(QUEUE_NAMES.notify, { connection: connect(), prefix: config.QUEUE_PREFIX });
    notifyWorker = createNotifyWorker({
      connection: connect(),
      db,
      logger: logger.child({ component: 'notify-worker' }),
      prefix: config.QUEUE_PREFIX,
      callbackUrl: config.CALLBACK_URL,
      secret: resolveWebhookSecret(config, logger),
    });
  }
  const scoreWorker = createScoreWorker({
    connection: connect(),
    db,
    engine,
    logger: logger.child({ component: 'score-worker' }),
    prefix: config.QUEUE_PREFIX,
    concurrency: options.concurrency ?? config.WORKER_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_MS,
    notifyQueue,
    metrics: options.metrics,
    scoringPool,
  });
  let sweeper: ReturnType<typeof startPendingSweeper> | undefined;
  return {
    engine,
    notifyQueue,
    start: () => {
      sweeper ??= startPendingSweeper({ db, scoreQueue, logger, olderThanMs: config.PENDING_SWEEP_AFTER_MS });
      if (!scoreWorker.worker.isRunning()) void scoreWorker.worker.run();
      if (notifyWorker && !notifyWorker.isRunning()) void notifyWorker.run();
    },
    closeWorkers: async () => {
      await sweeper?.stop();
      await Promise.all([scoreWorker.close(), notifyWorker?.close()]);
      await scoringPool?.close();
    },
    closeQueues: async () => {
      await notifyQueue?.close();
    },
    closeRedis: async () => {
      await Promise.all(connections.map(closeRedisConnection));
    },
  };
}
