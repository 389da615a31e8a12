import path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { loadConfig } from '../../../src/config';
import { packageRoot } from '../../../src/lib/package-root';
import { silentLogger } from '../../../src/lib/logger';
import type * as PoolModule from '../../../src/operations/scoring-pool';
import { openWorkerScoringPool as openFromSources, type ScoringPool } from '../../../src/operations/scoring-pool';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { enqueueScore } from '../../../src/queue/producers';
import { listDecisions } from '../../../src/store/decisions.repository';
import { loadPolicy } from '../../../src/triage/policy';
import { createScoreWorker, type TriageEngine } from '../../../workers/score.worker';
import { insertPendingComments } from '../../helpers/bulk-comments';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { createWordListEngine } from '../../helpers/pipeline';
import { waitUntil } from '../../helpers/processes';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';

// Threads run compiled JavaScript: the pool under test is the one `npm test` builds into dist/.
const { openScoringPool, openWorkerScoringPool } = require(path.join(packageRoot(), 'dist', 'src', 'operations', 'scoring-pool.js')) as typeof PoolModule;

/** Counts the texts an engine scored. */
function counting<T extends TriageEngine>(engine: T): T & { scored: number; calls: number } {
  const counted = Object.assign(Object.create(engine) as T, { scored: 0, calls: 0 });
  counted.scoreTexts = async (items) => {
    counted.calls++;
    counted.scored += items.length;
    return engine.scoreTexts(items);
  };
  return counted;
}

describe('score worker on scoring threads (WORKER_SCORING_THREADS)', () => {
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

  async function scoreSite(site: string, count: number, options: { engine: TriageEngine; scoringPool?: ScoringPool }) {
    const prefix = uniquePrefix('threads');
    prefixes.push(prefix);
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    await insertPendingComments(t.db, count, site);
    const { rows } = await t.db.query<{ id: string; text: string; text_hash: string }>(
      'SELECT id, text, text_hash FROM comments WHERE site_id = $1 ORDER BY id',
      [site],
    );
    await enqueueScore(queue, rows.map((r) => ({ commentId: r.id, textHash: r.text_hash })), 'live');
    const workerConnection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const worker = createScoreWorker({ connection: workerConnection, db: t.db, logger: silentLogger(), prefix, concurrency: 16, maxBatchSize: 8, ...options });
    void worker.worker.run();
    const decided = async () =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE site_id = $1 AND status <> 'pending'`, [site])).rows[0].n;
    await waitUntil(async () => (await decided()) === count, 30_000, `${site} decided`);
    await worker.close();
    await workerConnection.quit();
    const counts = await queue.getJobCounts('completed', 'failed');
    await queue.close();
    return { rows, counts };
  }

  it('scores on the threads, with the decisions the main thread would make', async () => {
    const engine = counting(await createWordListEngine());
    const opened = await openScoringPool({ threads: 2, scorerNames: ['lexicon'], policy: loadPolicy(), scorerOptions: {} });
    const pool = counting(opened!);
    try {
      const { rows, counts } = await scoreSite('threads-site', 60, { engine, scoringPool: pool });
      expect(counts).toEqual({ completed: 60, failed: 0 });
      expect(engine.scored).toBe(0);
      expect(pool.scored).toBe(60);
      const expected = await engine.scoreTexts(rows.map((r) => ({ text: r.text })));
      for (const [i, row] of rows.entries()) {
        const current = (await listDecisions(t.db, row.id)).filter((d) => d.isCurrent);
        expect(current).toEqual([
          expect.objectContaining({
            decision: expected[i].decision,
            scores: expected[i].scores,
            spans: expected[i].spans,
            modelVersion: engine.modelVersion,
            policyVersion: engine.policyVersion,
          }),
        ]);
      }
    } finally {
      await opened?.close();
    }
  }, 60_000);

  it('scores on the main thread when a scoring thread fails', async () => {
    const engine = counting(await createWordListEngine());
    const broken: ScoringPool = {
      threads: 1,
      modelVersion: engine.modelVersion,
      policyVersion: engine.policyVersion,
      scoreTexts: async () => {
        throw new Error('scoring thread exited (code 1)');
      },
      close: async () => undefined,
    };
    const { counts } = await scoreSite('broken-threads-site', 20, { engine, scoringPool: broken });
    expect(counts).toEqual({ completed: 20, failed: 0 });
    expect(engine.scored).toBe(20);
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM decisions d JOIN comments c ON c.id = d.comment_id
       WHERE c.site_id = 'broken-threads-site' AND d.is_current AND d.model_version = $1`,
      [engine.modelVersion],
    );
    expect(rows[0].n).toBe(20);
  }, 60_000);
});

describe('openWorkerScoringPool', () => {
  const config = (env: Record<string, string> = {}) => loadConfig({ SCORERS: 'lexicon', ...env });

  it('opens the configured threads with the main thread’s versions', async () => {
    const engine = await createWordListEngine();
    const pool = await openWorkerScoringPool(2, config(), engine, silentLogger());
    try {
      expect(pool).toMatchObject({ threads: 2, modelVersion: engine.modelVersion, policyVersion: engine.policyVersion });
    } finally {
      await pool?.close();
    }
  });

  it('leaves scoring to the main thread for 0 threads, from sources, on other versions, or when a thread cannot start', async () => {
    const engine = await createWordListEngine();
    const logger = silentLogger();
    expect(await openWorkerScoringPool(0, config(), engine, logger)).toBeUndefined();
    expect(await openFromSources(1, config(), engine, logger)).toBeUndefined();
    expect(await openWorkerScoringPool(1, config(), { ...engine, policyVersion: 'another-policy' }, logger)).toBeUndefined();
    expect(await openWorkerScoringPool(1, config({ POLICY_FILE: '/nonexistent/policy.json' }), engine, logger)).toBeUndefined();
  });
});
