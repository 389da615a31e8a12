import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { enqueueScore } from '../../../src/queue/producers';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/databases';
import { insertPendingComments } from '../../helpers/bulk-comments';
import { spawnVigie, waitUntil, type VigieProcess } from '../../helpers/processes';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';

const COMMENTS = 10_000;

/** kill -9 a worker in the middle of 10,000 queued comments; another one finishes the work. */
describe('a worker killed mid-run', () => {
  const prefix = uniquePrefix('crash');
  let t: TestDatabase;
  let schemaUrl: string;
  let connection: IORedis;
  let queue: Queue;
  const workers: VigieProcess[] = [];

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    const { rows } = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    schemaUrl = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${rows[0].schema}`)}`;
    connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    await insertPendingComments(t.db, COMMENTS);
    const { rows: pending } = await t.db.query<{ id: string; text_hash: string }>('SELECT id, text_hash FROM comments');
    for (let i = 0; i < pending.length; i += 1_000) {
      await enqueueScore(
        queue,
        pending.slice(i, i + 1_000).map((c) => ({ commentId: c.id, textHash: c.text_hash })),
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await queue.close();
    await deletePrefix(prefix);
    await connection.quit();
    await t.drop();
  });

  const decided = async () =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE status <> 'pending'`)).rows[0].n;

  const startWorker = (env: Record<string, string> = {}) => {
    const worker = spawnVigie(['worker'], {
      DATABASE_URL: schemaUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      SCORERS: 'lexicon',
      WORKER_LOCK_MS: '2000',
      WORKER_CONCURRENCY: '64',
      PENDING_SWEEP_AFTER_MS: '600000',
      ...env,
    });
    workers.push(worker);
    return worker;
  };

  it('ends with exactly one decision per comment and none pending', async () => {
    const first = startWorker();
    await waitUntil(async () => (await decided()) >= 1_000, 60_000, 'the first worker to decide 1,000 comments');
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await decided();
    expect(atKill).toBeLessThan(COMMENTS);

    // The second one scores on a thread: the same decisions, saved the same way.
    startWorker({ WORKER_SCORING_THREADS: '1' });
    await waitUntil(async () => (await decided()) === COMMENTS, 150_000, 'every comment to be decided');

    const { rows } = await t.db.query<{ comments: number; current: number; machine: number; pending: number }>(
      `SELECT (SELECT count(*)::int FROM comments) AS comments,
              (SELECT count(*)::int FROM decisions WHERE is_current) AS current,
              (SELECT count(*)::int FROM decisions WHERE actor = 'machine') AS machine,
              (SELECT count(*)::int FROM comments WHERE status = 'pending') AS pending`,
    );
    expect(rows[0]).toEqual({ comments: COMMENTS, current: COMMENTS, machine: COMMENTS, pending: 0 });
    const counts = await queue.getJobCounts('completed', 'failed');
    expect(counts.failed).toBe(0);
  }, 240_000);
});
