import { EventEmitter } from 'node:events';
import { Queue, type QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { silentLogger } from '../../../src/lib/logger';
import { applyRescore } from '../../../src/operations/apply-rescore';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';
import { seedDecided, startScoreWorker, tempDir, wordListEngine, writeStrictPolicy } from './helpers';

describe('applyRescore when queue events are missed', () => {
  let t: TestDatabase;
  const prefix = uniquePrefix('reconcile');

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    await seedDecided(t.db, ['Quel idiot.', 'Merci beaucoup.', 'Bande de cons.']);
  }, 60_000);

  afterAll(async () => {
    await deletePrefix(prefix);
    await t?.drop();
  });

  it('asks Redis which jobs finished and still completes', async () => {
    const engine = await wordListEngine(writeStrictPolicy(tempDir(), 'test-reconcile'));
    const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.score, { connection: redis, prefix });
    const worker = startScoreWorker(t.db, engine, prefix);
    // An events reader that hears nothing, as if the capped events stream had been trimmed under it.
    const deaf = Object.assign(new EventEmitter(), { waitUntilReady: async () => undefined, close: async () => undefined });
    try {
      const report = await applyRescore({
        db: t.db,
        queue,
        redis,
        openEvents: () => deaf as unknown as QueueEvents,
        filter: {},
        target: engine,
        reconcileAfterMs: 300,
        logger: silentLogger(),
      });
      expect(report).toMatchObject({ selected: 3, enqueued: 3, finished: 3, pending: 0, interrupted: false });
      expect(report.outcomes).toEqual({ completed: 3 });
      const current = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM decisions WHERE is_current AND policy_version = 'test-reconcile'`);
      expect(current.rows[0].n).toBe(3);
    } finally {
      await worker.stop();
      await queue.close();
      await redis.quit();
    }
  });
});
