/**
 * npm run bench:live-under-rescore — issue #5's "100,000 queued rescoring jobs + a burst of live
 * comments: live comments' p99 time to decision stays within a few seconds", run with the built CLI
 * as in production: 100,000 comments decided by an earlier policy in a throwaway PostgreSQL schema;
 * `vigie rescore --yes --no-follow` queues them all at batch priority; then `vigie worker` process(es)
 * and `vigie serve --no-worker` start, and while the backlog drains, bursts of signed webhooks are
 * posted from concurrent connections. Time to decision = the live comment's decision row created −
 * the comment row created (accepted), both PostgreSQL clock.
 *
 * Env: BENCH_COMMENTS (100000), BENCH_WORKERS (`vigie worker` processes, 1), BENCH_SERVE_WORKER=1 (serve
 * scores too; with BENCH_WORKERS=0 that is the single-machine `npm start` shape), BENCH_BURSTS (2),
 * BENCH_BURST_SIZE (500), BENCH_BURST_CONNECTIONS (50), BENCH_BURST_GAP_S (15), BENCH_DRAIN_TIMEOUT_S
 * (300; 0 = do not wait for the backlog), SCORERS (workers' scorers, default own,lexicon),
 * WORKER_CONCURRENCY (64), REDIS_URL, BENCH_DATABASE_URL (the test database), DATASETS (../shared/datasets).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { parseDelimitedRecords } from '../src/eval/csv';
import { QUEUE_NAMES } from '../src/queue/names';
import { signalAndWait, spawnVigie, waitUntil, type VigieProcess } from '../test/helpers/processes';
import { deletePrefix } from '../test/helpers/redis';
import { postSignedComment, type PostOutcome } from '../test/helpers/webhook-client';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 100_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const SERVE_WORKER = process.env.BENCH_SERVE_WORKER === '1';
const BURSTS = Number(process.env.BENCH_BURSTS ?? 2);
const BURST_SIZE = Number(process.env.BENCH_BURST_SIZE ?? 500);
const BURST_CONNECTIONS = Number(process.env.BENCH_BURST_CONNECTIONS ?? 50);
const BURST_GAP_S = Number(process.env.BENCH_BURST_GAP_S ?? 15);
const DRAIN_TIMEOUT_S = Number(process.env.BENCH_DRAIN_TIMEOUT_S ?? 300);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = randomBytes(16).toString('hex');
const ARCHIVE = 'archive';

/** Real French and English reader comments when the shared datasets are there, else made-up ones. */
function sampleTexts(): string[] {
  const datasets = process.env.DATASETS ?? path.resolve('../shared/datasets');
  const sources: [string, string][] = [
    ['fr/toxifrench-dev/toxifrench_dev.csv', 'content'],
    ['en/civil-toxic-spans/tsd_trial.csv', 'text'],
  ];
  const texts: string[] = [];
  for (const [file, column] of sources) {
    try {
      const records = parseDelimitedRecords(fs.readFileSync(path.join(datasets, file), 'utf8'));
      texts.push(...records.map((r) => r[column]).filter((t) => t && t.trim().length > 0 && t.length < 2_000));
    } catch {
      // the fallback below keeps the benchmark runnable anywhere
    }
  }
  if (texts.length > 0) return texts;
  const openers = ['Merci pour cet article', 'Quel idiot ce ministre', 'Bande de cons', 'Thanks for the report', 'You are a moron', 'Je ne suis pas d’accord'];
  return openers.map((o) => `${o}, franchement, les chiffres de l'an dernier disent autre chose.`);
}

/** Comments an earlier policy decided: what `vigie rescore` picks up after a policy change. One statement each, PostgreSQL-side. */
async function seedDecidedComments(db: Client, texts: string[]): Promise<void> {
  await db.query(
    `INSERT INTO articles (id, site_id, url, title)
     SELECT 'art-' || a, $1, 'https://archive.example/a/' || a, 'Archive ' || a FROM generate_series(0, $2::int / 100) AS a`,
    [ARCHIVE, COMMENTS],
  );
  await db.query(
    `INSERT INTO comments (id, site_id, article_id, source, source_id, author, text, text_hash, content_key,
                           status, decision, decided_by, decided_at, created_at)
     SELECT 'c-' || n, $1, 'art-' || (n / 100), 'seed', 's-' || n, 'reader' || (n % 997), t,
            encode(sha256(convert_to(t, 'UTF8')), 'hex'), md5(t), 'scored', 'approve', 'machine', now(), now() - interval '1 day'
     FROM (SELECT n, ($3::text[])[1 + n % cardinality($3::text[])] || ' #' || n AS t FROM generate_series(1, $2::int) AS n) AS g`,
    [ARCHIVE, COMMENTS, texts],
  );
  await db.query(
    `INSERT INTO decisions (id, comment_id, text_hash, actor, decision, model_version, policy_version, is_current, created_at)
     SELECT 'd-' || id, id, text_hash, 'machine', 'approve', 'earlier-model', 'earlier-policy', true, now() - interval '1 day'
     FROM comments WHERE site_id = $1`,
    [ARCHIVE],
  );
}

/** Like waitUntil, at a pace that leaves the machine to the processes being measured. */
async function poll(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Math.round(percentile(sorted, 50)), p95: Math.round(percentile(sorted, 95)), p99: Math.round(percentile(sorted, 99)), max: Math.round(sorted[sorted.length - 1] ?? NaN) };
};

async function postBurst(baseUrl: string, site: string, texts: string[]): Promise<(PostOutcome & { answeredAt: number })[]> {
  const outcomes: (PostOutcome & { answeredAt: number })[] = [];
  let next = 0;
  const connection = async () => {
    while (next < BURST_SIZE) {
      const i = next++;
      const outcome = await postSignedComment(baseUrl, SECRET, { site, sourceId: `${site}-${i}`, text: `${texts[(i * 7919) % texts.length]} (${site} ${i})` });
      outcomes.push({ ...outcome, answeredAt: Date.now() });
    }
  };
  await Promise.all(Array.from({ length: BURST_CONNECTIONS }, connection));
  return outcomes;
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const prefix = `vigiebench-${randomBytes(3).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-bench-'));
  const db = new Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAMES.score, { connection: redis, prefix });
  const processes: VigieProcess[] = [];
  const env = {
    DATABASE_URL: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    WEBHOOK_SECRET: SECRET,
    VIGIE_DEMO: '0',
    LOG_LEVEL: 'warn',
    ...(process.env.SCORERS ? { SCORERS: process.env.SCORERS } : {}),
    ...(process.env.WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY } : {}),
  };
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const figures: Record<string, unknown> = {
    comments: COMMENTS,
    workers: WORKERS,
    serveScores: SERVE_WORKER,
    scorers: process.env.SCORERS ?? 'own,lexicon',
    workerConcurrency: Number(process.env.WORKER_CONCURRENCY ?? 64),
    burstSize: BURST_SIZE,
    burstConnections: BURST_CONNECTIONS,
  };
  const rescored = async () =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM decisions WHERE actor = 'machine' AND policy_version <> 'earlier-policy' AND comment_id LIKE 'c-%'`)).rows[0].n;
  // Read from Redis, not by counting rows: polling must not load the database the workers write to.
  const queued = async () => {
    const counts = await queue.getJobCounts('prioritized', 'wait', 'active');
    return counts.prioritized + counts.wait + counts.active;
  };

  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  try {
    // The serve process migrates the schema; the seed waits for it.
    const port = 35_000 + Math.floor(Math.random() * 2_000);
    const baseUrl = `http://127.0.0.1:${port}`;
    const serve = spawnVigie(SERVE_WORKER ? ['serve'] : ['serve', '--no-worker'], { ...env, PORT: String(port) });
    processes.push(serve);
    await waitUntil(async () => (await fetch(`${baseUrl}/readyz`).catch(() => null))?.ok ?? false, 120_000, `vigie serve:\n${serve.output()}`);
    // No worker starts on the backlog before it is all queued (serve's own one included).
    await queue.pause();

    let t = performance.now();
    await seedDecidedComments(db, sampleTexts());
    figures.seedSeconds = Number(((performance.now() - t) / 1000).toFixed(1));
    log(`seeded ${COMMENTS} comments in ${figures.seedSeconds} s`);

    t = performance.now();
    const rescore = spawnVigie(['rescore', '--site', ARCHIVE, '--yes', '--no-follow', '--json', '--batch-size', '1000'], env);
    const rescoreExit = await rescore.exited;
    const report = rescore.output().split('\n').find((line) => line.startsWith('{"mode":"apply"'));
    if (rescoreExit !== 0 || !report) throw new Error(`vigie rescore failed (${rescoreExit}):\n${rescore.output()}`);
    figures.rescoreEnqueued = (JSON.parse(report) as { enqueued: number }).enqueued;
    figures.rescoreEnqueueSeconds = Number(((performance.now() - t) / 1000).toFixed(1));
    log(`vigie rescore queued ${figures.rescoreEnqueued} jobs in ${figures.rescoreEnqueueSeconds} s`);

    const drainStarted = performance.now();
    for (let w = 0; w < WORKERS; w++) processes.push(spawnVigie(['worker'], env));
    await queue.resume();
    // Steady state first: the workers are up and have taken batch jobs.
    const enqueued = figures.rescoreEnqueued as number;
    await poll(async () => (await queued()) <= enqueued - 2_000, 180_000, `the workers to start on the backlog:\n${processes.map((p) => p.output()).join('\n')}`);

    const texts = sampleTexts();
    const bursts: Record<string, unknown>[] = [];
    for (let b = 1; b <= BURSTS; b++) {
      if (b > 1) await new Promise((r) => setTimeout(r, BURST_GAP_S * 1_000));
      const site = `live-${b}`;
      const before = await queued();
      await new Promise((r) => setTimeout(r, 2_000));
      const backlogAtBurst = await queued();
      const batchPerSecondBefore = Math.round((before - backlogAtBurst) / 2);
      const outcomes = await postBurst(baseUrl, site, texts);
      const accepted = outcomes.filter((o) => 'status' in o && o.status === 202);
      await poll(
        async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE site_id = $1 AND status = 'pending'`, [site])).rows[0].n === 0,
        180_000,
        `the live comments of burst ${b} to be decided`,
      );
      const { rows } = await db.query<{ source_id: string; ms: number; decided_at_ms: number }>(
        `SELECT c.source_id, extract(epoch FROM (d.created_at - c.created_at)) * 1000 AS ms, extract(epoch FROM d.created_at) * 1000 AS decided_at_ms
         FROM comments c JOIN decisions d ON d.comment_id = c.id AND d.actor = 'machine' WHERE c.site_id = $1`,
        [site],
      );
      const answeredAt = new Map(accepted.map((o) => [o.sourceId, o.answeredAt]));
      const window = await db.query<{ n: number; seconds: number }>(
        `WITH live AS (SELECT min(c.created_at) AS started, max(d.created_at) AS ended
                       FROM comments c JOIN decisions d ON d.comment_id = c.id WHERE c.site_id = $1)
         SELECT count(d.*)::int AS n, extract(epoch FROM (live.ended - live.started)) AS seconds
         FROM live LEFT JOIN decisions d ON d.created_at BETWEEN live.started AND live.ended
              AND d.comment_id LIKE 'c-%' AND d.policy_version <> 'earlier-policy'
         GROUP BY live.started, live.ended`,
        [site],
      );
      const burst = {
        burst: b,
        backlogAtBurst,
        accepted: accepted.length,
        notAccepted: countBy(outcomes.filter((o) => !accepted.includes(o)), (o) => ('status' in o ? String(o.status) : o.error)),
        acceptLatencyMs: summary(accepted.map((o) => o.ms)),
        timeToDecisionMs: summary(rows.map((r) => Number(r.ms))),
        // The queue and worker part alone: from the 202 (comment stored and queued) to its decision.
        decisionAfter202Ms: summary(rows.flatMap((r) => (answeredAt.has(r.source_id) ? [Math.max(0, Number(r.decided_at_ms) - answeredAt.get(r.source_id)!)] : []))),
        burstSeconds: Number(Number(window.rows[0].seconds).toFixed(1)),
        batchJobsCompletedDuringBurst: window.rows[0].n,
        batchPerSecondBefore,
      };
      bursts.push(burst);
      log(JSON.stringify(burst));
      if (accepted.length < outcomes.length) log(`not accepted; serve said:\n${serve.output().slice(-3_000)}`);
    }
    figures.bursts = bursts;

    if (DRAIN_TIMEOUT_S > 0) {
      const finished = await poll(async () => (await queued()) === 0, DRAIN_TIMEOUT_S * 1_000, 'the backlog')
        .then(() => true)
        .catch(() => false);
      figures.backlogFinished = finished;
      figures.rescored = await rescored();
      figures.drainSeconds = Number(((performance.now() - drainStarted) / 1000).toFixed(1));
      figures.batchPerSecondOverall = Math.round((figures.rescored as number) / (figures.drainSeconds as number));
      const jobs = await queue.getJobCounts('failed');
      figures.failedJobs = jobs.failed;
    }
    const exits = [];
    for (const p of processes) exits.push((await signalAndWait(p, 'SIGTERM', 30_000)).code);
    figures.exitCodes = exits;
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await queue.close();
    await deletePrefix(prefix).catch(() => undefined);
    await redis.quit();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(figures, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
