import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { startWorkers } from '../../../src/cli/start-workers';
import { loadConfig } from '../../../src/config';
import { silentLogger } from '../../../src/lib/logger';
import { Shutdown } from '../../../src/lib/shutdown';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { enqueueScore } from '../../../src/queue/producers';
import { insertPendingComments } from '../../helpers/bulk-comments';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { waitUntil } from '../../helpers/processes';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';

describe('startWorkers', () => {
  const prefix = uniquePrefix('start-workers');
  let t: TestDatabase;
  let connection: IORedis;
  let queue: Queue;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
  }, 60_000);

  afterAll(async () => {
    await queue.close();
    await deletePrefix(prefix);
    await connection.quit();
    await t.drop();
  });

  it('loads the models but takes no job until start(): a process signalled during start-up has none in hand', async () => {
    await insertPendingComments(t.db, 5, 'start-site');
    const { rows } = await t.db.query<{ id: string; text_hash: string }>("SELECT id, text_hash FROM comments WHERE site_id = 'start-site'");
    await enqueueScore(queue, rows.map((r) => ({ commentId: r.id, textHash: r.text_hash })), 'live');
    const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, SCORERS: 'lexicon' });
    const base = { config, logger: silentLogger(), shutdown: new Shutdown(silentLogger()) };
    const workers = await startWorkers(base, t.db, queue, { scoringThreads: 0 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await queue.getJobCounts('active', 'completed')).toEqual({ active: 0, completed: 0 });
      workers.start();
      await waitUntil(async () => (await queue.getJobCounts('completed')).completed === 5, 20_000, 'jobs completed after start()');
      const decided = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM comments WHERE site_id = 'start-site' AND status = 'scored'");
      expect(decided.rows[0].n).toBe(5);
    } finally {
      await workers.closeWorkers();
      await workers.closeQueues();
      await workers.closeRedis();
    }
  }, 60_000);
});
