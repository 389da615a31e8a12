import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { silentLogger } from '../../../src/lib/logger';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { enqueueScore } from '../../../src/queue/producers';
import type { Database } from '../../../src/store/database';
import { createScoreWorker, type TriageEngine } from '../../../workers/score.worker';
import { insertPendingComments } from '../../helpers/bulk-comments';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { createWordListEngine } from '../../helpers/pipeline';
import { waitUntil } from '../../helpers/processes';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';

async function pendingJobs(db: Database, site: string) {
  const { rows } = await db.query<{ id: string; text_hash: string }>(
    'SELECT id, text_hash FROM comments WHERE site_id = $1 ORDER BY id',
    [site],
  );
  return rows.map((r) => ({ commentId: r.id, textHash: r.text_hash }));
}

describe('score queue scheduling', () => {
  let t: TestDatabase;
  let connection: IORedis;
  const prefixes: string[] = [];

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  }, 60_000);

  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefix(prefix);
    await connection.quit();
    await t.drop();
  });

  const decidedCount = async (site: string) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE site_id = $1 AND status <> 'pending'`, [site]))
      .rows[0].n;

  it('scores live comments before thousands of queued rescoring jobs', async () => {
    const prefix = uniquePrefix('prio');
    prefixes.push(prefix);
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    await insertPendingComments(t.db, 3_000, 'batch-site');
    await insertPendingComments(t.db, 30, 'live-site');
    await enqueueScore(queue, await pendingJobs(t.db, 'batch-site'), 'batch');
    await enqueueScore(queue, await pendingJobs(t.db, 'live-site'), 'live');

    const worker = createScoreWorker({
      connection: new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null }),
      db: t.db,
      engine: await createWordListEngine(),
      logger: silentLogger(),
      prefix,
      concurrency: 16,
    });
    void worker.worker.run();
    await waitUntil(async () => (await decidedCount('live-site')) === 30, 30_000, 'live comments');
    await worker.close();
    await queue.close();
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM comments
       WHERE site_id = 'batch-site' AND decided_at < (SELECT max(decided_at) FROM comments WHERE site_id = 'live-site')`,
    );
    const batchDoneWhenLiveFinished = rows[0].n;
    // Only the jobs already taken when live ones arrived (≤ concurrency) may overtake them.
    expect(batchDoneWhenLiveFinished).toBeLessThanOrEqual(32);
  }, 60_000);

  it('keeps job locks alive while CPU-heavy scoring runs (no stalled jobs)', async () => {
    const prefix = uniquePrefix('locks');
    prefixes.push(prefix);
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    await insertPendingComments(t.db, 48, 'cpu-site');
    await enqueueScore(queue, await pendingJobs(t.db, 'cpu-site'), 'live');
    const realEngine = await createWordListEngine();
    // Each batch blocks the event loop for 300 ms, more than half the 1 s lock; renewals must still get through.
    const slowEngine: TriageEngine = {
      modelVersion: realEngine.modelVersion,
      policyVersion: realEngine.policyVersion,
      scoreTexts: async (items) => {
        const until = Date.now() + 300;
        while (Date.now() < until) Math.sqrt(Math.random());
        return realEngine.scoreTexts(items);
      },
    };
    const worker = createScoreWorker({
      connection: new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null }),
      db: t.db,
      engine: slowEngine,
      logger: silentLogger(),
      prefix,
      concurrency: 8,
      maxBatchSize: 8,
      lockDurationMs: 1_000,
    });
    const stalled: string[] = [];
    worker.worker.on('stalled', (jobId) => stalled.push(jobId));
    void worker.worker.run();
    await waitUntil(async () => (await decidedCount('cpu-site')) === 48, 30_000, 'all CPU-heavy jobs');
    await worker.close();
    const counts = await queue.getJobCounts('completed', 'failed');
    await queue.close();
    expect(stalled).toEqual([]);
    expect(counts).toEqual({ completed: 48, failed: 0 });
  }, 60_000);
});
