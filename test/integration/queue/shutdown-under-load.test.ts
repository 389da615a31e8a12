import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { SHUTDOWN_TIMEOUT_MS } from '../../../src/lib/shutdown';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { enqueueScore } from '../../../src/queue/producers';
import { insertPendingComments } from '../../helpers/bulk-comments';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/databases';
import { signalAndWait, spawnVigie, waitUntil, type VigieProcess } from '../../helpers/processes';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';
import { TEST_SECRET } from '../../helpers/webhook';
import { postSignedComment, type PostOutcome } from '../../helpers/webhook-client';

const BACKLOG = 2_000;
const EXIT_TIMEOUT_MS = SHUTDOWN_TIMEOUT_MS + 5_000;

type Phase = 'running' | 'stopping' | 'exited';
type Posted = PostOutcome & { sentWhile: Phase };

/** SIGTERM while busy: in-flight jobs and requests finish, the rest stays queued, nothing is lost or decided twice. */
describe('graceful shutdown under load', () => {
  let t: TestDatabase;
  let schemaUrl: string;
  let connection: IORedis;
  const prefixes: string[] = [];
  const processes: VigieProcess[] = [];

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    const { rows } = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    schemaUrl = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${rows[0].schema}`)}`;
    connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  }, 60_000);

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    for (const prefix of prefixes) await deletePrefix(prefix);
    await connection.quit();
    await t.drop();
  });

  const start = (args: string[], prefix: string, env: Record<string, string> = {}) => {
    const proc = spawnVigie(args, {
      DATABASE_URL: schemaUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      // A job left locked by a stopped process would not be retaken before this: the test would time out.
      WORKER_LOCK_MS: '30000',
      // The sweeper must not paper over a lost job.
      PENDING_SWEEP_AFTER_MS: '600000',
      VIGIE_DEMO: '0',
      ...env,
    });
    processes.push(proc);
    return proc;
  };

  /** A private queue prefix holding `count` comments of `site`, queued as live jobs. */
  const queueBacklog = async (name: string, site: string, count: number) => {
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    await insertPendingComments(t.db, count, site);
    const { rows } = await t.db.query<{ id: string; text_hash: string }>('SELECT id, text_hash FROM comments WHERE site_id = $1', [site]);
    await enqueueScore(
      queue,
      rows.map((c) => ({ commentId: c.id, textHash: c.text_hash })),
    );
    return { prefix, queue };
  };

  const countsFor = async (sites: string[]) => {
    const { rows } = await t.db.query<{ comments: number; pending: number; current: number; machine: number; doubled: number }>(
      `SELECT count(*)::int AS comments,
              count(*) FILTER (WHERE c.status = 'pending')::int AS pending,
              coalesce(sum((SELECT count(*) FROM decisions d WHERE d.comment_id = c.id AND d.is_current)), 0)::int AS current,
              coalesce(sum((SELECT count(*) FROM decisions d WHERE d.comment_id = c.id AND d.actor = 'machine')), 0)::int AS machine,
              count(*) FILTER (WHERE (SELECT count(*) FROM decisions d WHERE d.comment_id = c.id) > 1)::int AS doubled
       FROM comments c WHERE c.site_id = ANY($1::text[])`,
      [sites],
    );
    return rows[0];
  };

  /** Right after the process exited: each job it held completed (decision saved) or is queued again; none locked, none failed. */
  const expectJobsSettled = async (queue: Queue, sites: string[]) => {
    const { comments, pending } = await countsFor(sites);
    const jobs = await queue.getJobCounts('active', 'completed', 'failed', 'prioritized', 'wait');
    expect({ active: jobs.active, failed: jobs.failed, completed: jobs.completed, queued: jobs.prioritized + jobs.wait }).toEqual({
      active: 0,
      failed: 0,
      completed: comments - pending,
      queued: pending,
    });
    return pending;
  };

  /** Another worker takes what is left: every comment ends with exactly one (machine) decision. */
  const finishWithAnotherWorker = async (prefix: string, queue: Queue, sites: string[]) => {
    const worker = start(['worker'], prefix, { SCORERS: 'lexicon' });
    await waitUntil(async () => (await countsFor(sites)).pending === 0, 60_000, `another worker to finish:\n${worker.output()}`);
    const counts = await countsFor(sites);
    expect(counts).toEqual({ comments: counts.comments, pending: 0, current: counts.comments, machine: counts.comments, doubled: 0 });
    expect((await queue.getJobCounts('failed')).failed).toBe(0);
    // It is running (it just scored), so SIGTERM goes through its shutdown, not the default signal action.
    expect((await signalAndWait(worker, 'SIGTERM', EXIT_TIMEOUT_MS)).code).toBe(0);
  };

  it('vigie worker: SIGTERM mid-backlog exits 0 in time, leaves no job locked, and another worker decides every comment once', async () => {
    const { prefix, queue } = await queueBacklog('shutdown-worker', 'queued', BACKLOG);
    // Default scorers (own model + word lists): batches take real CPU time, so jobs are in flight at SIGTERM.
    const worker = start(['worker'], prefix, { WORKER_CONCURRENCY: '64' });
    await waitUntil(
      async () => (await countsFor(['queued'])).pending <= BACKLOG - 300,
      45_000,
      `the worker to decide 300 comments:\n${worker.output()}`,
    );
    const exit = await signalAndWait(worker, 'SIGTERM', EXIT_TIMEOUT_MS);
    expect({ code: exit.code, withinBudget: exit.ms < SHUTDOWN_TIMEOUT_MS }).toEqual({ code: 0, withinBudget: true });
    expect(await expectJobsSettled(queue, ['queued'])).toBeGreaterThan(0);

    await finishWithAnotherWorker(prefix, queue, ['queued']);
    await queue.close();
  }, 120_000);

  it('vigie serve: SIGTERM while busy and posted to exits 0 in time, answers 202 or refuses the connection, and loses nothing', async () => {
    // The in-process worker is busy with a backlog queued before them (same priority, first in first out), so
    // webhook comments are still queued when the process stops.
    const { prefix, queue } = await queueBacklog('shutdown-serve', 'serve-backlog', BACKLOG);
    const port = 33_000 + Math.floor(Math.random() * 2_000);
    const baseUrl = `http://127.0.0.1:${port}`;
    const serve = start(['serve'], prefix, { PORT: String(port), WEBHOOK_SECRET: TEST_SECRET, SCORERS: 'lexicon', WORKER_CONCURRENCY: '4' });
    await waitUntil(async () => (await fetch(`${baseUrl}/readyz`).catch(() => null))?.ok ?? false, 45_000, `vigie serve:\n${serve.output()}`);

    const outcomes: Posted[] = [];
    let phase: Phase = 'running';
    let posting = true;
    let n = 0;
    const poster = async () => {
      while (posting) {
        const sourceId = `w${n++}`;
        const sentWhile = phase;
        const outcome = await postSignedComment(baseUrl, TEST_SECRET, { site: 'webhooks', sourceId, text: `Commentaire ${sourceId}, bande de charlots` });
        outcomes.push({ ...outcome, sentWhile });
        // A refused connection fails at once: do not spin.
        if ('error' in outcome) await new Promise((r) => setTimeout(r, 20));
      }
    };
    const posters = Array.from({ length: 16 }, poster);

    let exit: { code: number | null; ms: number };
    try {
      await waitUntil(
        async () => outcomes.filter((o) => 'status' in o && o.status === 202).length >= 50,
        60_000,
        'the first 50 webhooks to be accepted',
      );
      phase = 'stopping';
      exit = await signalAndWait(serve, 'SIGTERM', EXIT_TIMEOUT_MS);
      phase = 'exited';
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      posting = false;
      await Promise.all(posters);
    }

    // Keep-alive clients posting back to back must not hold the HTTP server (and so the shutdown) open.
    expect({ code: exit.code, withinBudget: exit.ms < SHUTDOWN_TIMEOUT_MS }).toEqual({ code: 0, withinBudget: true });
    const statuses = new Set(outcomes.flatMap((o) => ('status' in o ? [o.status] : [])));
    expect([...statuses].filter((s) => s !== 202 && s !== 503)).toEqual([]);
    // No request hung. A request racing the close of its kept-alive connection may see it closed, never an error page.
    const errors = new Set(outcomes.flatMap((o) => ('error' in o ? [o.error] : [])));
    expect([...errors].filter((e) => e !== 'refused' && e !== 'closed')).toEqual([]);
    const afterExit = outcomes.filter((o) => o.sentWhile === 'exited');
    expect(afterExit.length).toBeGreaterThan(0);
    expect(afterExit.every((o) => 'error' in o && o.error === 'refused')).toBe(true);

    const sites = ['serve-backlog', 'webhooks'];
    expect(await expectJobsSettled(queue, sites)).toBeGreaterThan(0);
    // Every comment answered 202 was stored and queued before the process let go of Redis.
    const accepted = outcomes.flatMap((o) => ('status' in o && o.status === 202 ? [o.sourceId] : []));
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE site_id = 'webhooks' AND source_id = ANY($1::text[])`, [accepted]);
    expect(rows[0].n).toBe(accepted.length);

    await finishWithAnotherWorker(prefix, queue, sites);
    await queue.close();
  }, 120_000);
});
