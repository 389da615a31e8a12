import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { createApp } from '../../src/http/app';
import { silentLogger, type Logger } from '../../src/lib/logger';
import { QUEUE_NAMES } from '../../src/queue/names';
import { createScoringEngine } from '../../src/scoring/engine';
import { createScorers } from '../../src/scoring/registry';
import { getCurrentDecision, type StoredDecision } from '../../src/store/decisions.repository';
import type { Database } from '../../src/store/database';
import { loadPolicy } from '../../src/triage/policy';
import { createNotifyWorker } from '../../workers/notify.worker';
import { createScoreWorker, type TriageEngine } from '../../workers/score.worker';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from './redis';
import { TEST_SECRET } from './webhook';

export async function createWordListEngine(): Promise<TriageEngine> {
  return createScoringEngine({ scorers: await createScorers(['lexicon']), policy: loadPolicy() });
}

/** API + one score worker wired as `vigie serve` wires them, on a private queue prefix. */
export async function startPipeline(
  db: Database,
  options: { engine?: TriageEngine; logger?: Logger; callbackUrl?: string; notifyBackoffMs?: number } = {},
) {
  const prefix = uniquePrefix('pipeline');
  const producer = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const workerConnection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const scoreQueue = new Queue(QUEUE_NAMES.score, { connection: producer, prefix });
  const logger = options.logger ?? silentLogger();
  const engine = options.engine ?? (await createWordListEngine());
  const notifyQueue = options.callbackUrl ? new Queue(QUEUE_NAMES.notify, { connection: producer, prefix }) : undefined;
  const notifyConnection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const notifyWorker = options.callbackUrl
    ? createNotifyWorker({ connection: notifyConnection, db, logger, prefix, callbackUrl: options.callbackUrl, secret: TEST_SECRET })
    : undefined;
  void notifyWorker?.run();
  const scoreWorker = createScoreWorker({ connection: workerConnection, db, engine, logger, prefix, concurrency: 16, notifyQueue });
  void scoreWorker.worker.run();
  const app = createApp({ db, scoreQueue, webhookSecret: TEST_SECRET, logger });
  return {
    app,
    prefix,
    scoreQueue,
    engine,
    worker: scoreWorker.worker,
    notifyQueue,
    async stop() {
      await scoreWorker.close();
      await notifyWorker?.close();
      await notifyQueue?.close();
      await scoreQueue.close();
      await notifyConnection.quit();
      await deletePrefix(prefix);
      await producer.quit();
      await workerConnection.quit();
    },
  };
}

export async function waitForDecision(db: Database, commentId: string, timeoutMs = 10_000): Promise<StoredDecision> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const decision = await getCurrentDecision(db, commentId);
    if (decision) return decision;
    if (Date.now() > deadline) throw new Error(`no decision for ${commentId} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
