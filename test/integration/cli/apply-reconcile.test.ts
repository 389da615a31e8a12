import { EventEmitter } from 'node:events';
import { Queue, Worker, type QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { silentLogger } from '../../../src/lib/logger';
import { applyRescore, rescoreRunId } from '../../../src/operations/apply-rescore';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { scoreJobId } from '../../../src/queue/score-job.schema';
import { getComment } from '../../../src/store/comments.repository';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';
import { seedDecided, startScoreWorker, tempDir, wordListEngine, writeStrictPolicy } from './helpers';

describe('applyRescore when queue events are missed', () => {
  let t: TestDatabase;
  let ids: string[];
  const prefix = uniquePrefix('reconcile');
  // An events reader that hears nothing, as if the capped events stream had been trimmed under it.
  const deaf = Object.assign(new EventEmitter(), { waitUntilReady: async () => undefined, close: async () => undefined });

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    ids = await seedDecided(t.db, ['Quel idiot.', 'Merci beaucoup.', 'Bande de cons.']);
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

  it('sorts the jobs an earlier run left: finished ones counted, failed ones added again, queued ones followed', async () => {
    const engine = await wordListEngine(writeStrictPolicy(tempDir(), 'test-earlier'));
    const runId = rescoreRunId(engine);
    const jobs = await Promise.all(ids.map(async (commentId) => ({ commentId, textHash: (await getComment(t.db, commentId))!.textHash, runId })));
    const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.score, { connection: redis, prefix });
    // The earlier run: the first job finished, the second failed, the third is still waiting.
    const manualConnection = redis.duplicate();
    const manual = new Worker(QUEUE_NAMES.score, null, { connection: manualConnection, prefix });
    let worker: ReturnType<typeof startScoreWorker> | undefined;
    try {
      for (const [i, job] of jobs.slice(0, 2).entries()) {
        await queue.add('score', job, { jobId: scoreJobId(job, 'rescore') });
        const taken = (await manual.getNextJob('earlier-run'))!;
        expect(taken.id).toBe(scoreJobId(job, 'rescore'));
        if (i === 0) await taken.moveToCompleted({ outcome: 'saved' }, 'earlier-run', false);
        else await taken.moveToFailed(new Error('model not loaded'), 'earlier-run', false);
      }
      await queue.add('score', jobs[2], { jobId: scoreJobId(jobs[2], 'rescore') });
      worker = startScoreWorker(t.db, engine, prefix);
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
      expect(report).toMatchObject({ selected: 3, enqueued: 0, retriedFailed: 1, alreadyQueued: 1, finished: 3, pending: 0 });
      expect(report.outcomes).toEqual({ earlier: 1, completed: 2 });
      const current = await t.db.query<{ comment_id: string }>(`SELECT comment_id FROM decisions WHERE is_current AND policy_version = 'test-earlier' ORDER BY comment_id`);
      expect(current.rows.map((r) => r.comment_id)).toEqual([ids[1], ids[2]].sort());
    } finally {
      await worker?.stop();
      await manual.close();
      await manualConnection.quit();
      await queue.close();
      await redis.quit();
    }
  });
});
