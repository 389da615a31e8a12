/**
 * npm run bench:pipeline — sustained signed webhook posts (autocannon, this process) into Vigie,
 * through store → queue → worker → decision, then the time from acceptance to decision read back
 * from the store (PostgreSQL). Two deployments, one after the other:
 *   - "in-process": one `vigie serve` (API + score worker in one process, as `npm start`);
 *   - "separate-worker": `vigie serve --no-worker` + one `vigie worker`, sharing Redis and
 *     PostgreSQL (the README's scale-out shape, on this one machine);
 *   - "embedded": `vigie serve` on its embedded PGlite database, as `npm start` runs out of the box.
 * Then, on the same Redis, raw BullMQ as the reference: "comparable" (concurrent single adds with
 * our job options into a no-op worker of our concurrency, running together) and "bulk" (addBulk,
 * then a concurrency-100 no-op worker). The ratio uses the comparable one.
 * Needs Redis on REDIS_URL and PostgreSQL on BENCH_DATABASE_URL (default: the test DB).
 * BENCH_SHAPES=in-process,embedded (a comma-separated list) runs only those; WORKER_CONCURRENCY and
 * WORKER_SCORING_THREADS are passed to both deployments; BENCH_CPU_PROF_DIR=dir writes a CPU profile
 * of each Vigie process there (Node refuses --cpu-prof in NODE_OPTIONS, so it is a command-line flag);
 * BENCH_COMMENTS_PER_POST=N posts batches of N comments instead of one comment per request;
 * BENCH_DASHBOARDS=N keeps N moderators' live dashboard streams open during the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import autocannon from 'autocannon';
import { Client } from 'pg';
import http from 'node:http';
import { randomToken, sha256 } from '../src/auth/secrets';
import { signPayload } from '../src/ingest/webhook/signature';
import { openDatabase } from '../src/store/database';
import { createSession } from '../src/store/sessions.repository';
import { createUser } from '../src/store/users.repository';
import { closeRedisConnection } from '../src/queue/connection';
import { PRIORITY, QUEUE_NAMES } from '../src/queue/names';
import { SCORE_JOB_OPTIONS } from '../src/queue/producers';
import { spawnVigie, waitUntil, type VigieProcess } from '../test/helpers/processes';
import { deletePrefix } from '../test/helpers/redis';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 20);
const profilerFlags = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SCORERS = process.env.SCORERS ?? 'own,lexicon';
/** What `vigie worker` and the in-process worker use unless told otherwise (config default). */
const WORKER_CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 64);
/** Scoring threads of `vigie serve`'s and `vigie worker`'s score worker (unset: the config default). */
const WORKER_SCORING_THREADS = process.env.WORKER_SCORING_THREADS || undefined;
const RAW_JOBS = 20_000;
/** More than the run can post at the target rate; beyond these, requests are signed as they go. */
/** Moderators with the dashboard open during the run (each an SSE stream of live updates). */
const DASHBOARDS = Number(process.env.BENCH_DASHBOARDS ?? 0);
/** BENCH_COMMENTS_PER_POST > 1: a CMS that sends its new comments in batches (`{"comments": [...]}`). */
const COMMENTS_PER_POST = Number(process.env.BENCH_COMMENTS_PER_POST ?? 1);
const PRESIGNED = Math.ceil((DURATION_S * 2_500) / COMMENTS_PER_POST);
const SHAPES = ['in-process', 'separate-worker', 'embedded'] as const;
type Shape = (typeof SHAPES)[number];
const SECRET = randomBytes(16).toString('hex');

const TEXTS = [
  'Merci pour cet article très complet sur la situation au Mali.',
  'Retournez à l’école, bande de charlots !',
  'Je ne suis pas d’accord avec l’analyse, les chiffres de 2022 disent autre chose.',
  'You are an idiot and everybody knows it.',
  'Great reporting, thanks for the context on the fuel blockade.',
];

const progress = (what: string) => process.stderr.write(`[bench:pipeline ${new Date().toISOString().slice(11, 19)}] ${what}\n`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU time (user + system) a process has used so far, from /proc; NaN where there is none. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/**
 * CPU time of every process running `command` (the Redis and PostgreSQL servers), counting the
 * children they reaped meanwhile (PostgreSQL backends whose connection closed).
 */
function serverCpuMs(command: string): number {
  let ticks = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended while we read
    }
  }
  return (ticks * 1000) / 100;
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));

async function stop(proc: VigieProcess | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null) return;
  proc.child.kill('SIGTERM');
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await proc.exited;
  clearTimeout(killer);
}

async function connectedWorkers(prefix: string): Promise<number> {
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
  try {
    return (await queue.getWorkers()).length;
  } finally {
    await queue.close();
    await connection.quit();
  }
}

const benchComment = (n: number) => ({ id: `b${n}`, parentId: null, author: `reader${n % 500}`, text: `${TEXTS[n % TEXTS.length]} #${n}`, publishedAt: null });

/** Webhook post n: distinct comments (one, or COMMENTS_PER_POST in a batch), signed as a CMS would sign it. */
function signedPost(n: number): { body: string; headers: Record<string, string> } {
  const article = { url: `https://bench.example/a/${n % 50}`, title: 'Bench' };
  const body = JSON.stringify(
    COMMENTS_PER_POST === 1
      ? { site: 'bench', article, comment: benchComment(n) }
      : { comments: Array.from({ length: COMMENTS_PER_POST }, (_, k) => ({ site: 'bench', article, comment: benchComment(n * COMMENTS_PER_POST + k) })) },
  );
  return { body, headers: { 'content-type': 'application/json', 'x-vigie-signature': signPayload(SECRET, body) } };
}

/**
 * A logged-in moderator's live stream (`/events`), counting the newly flagged comments it is told
 * about. The session is written straight into the store: logging in is not what is measured.
 */
async function openDashboard(port: number, schema: string, n: number): Promise<{ flagged(): number; close(): void }> {
  const db = new Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
  await db.connect();
  const queryable = { query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await db.query(sql, params)).rows as T[] }) };
  const user = await createUser(queryable, { name: `bench-moderator-${n}`, role: 'moderator', passwordHash: 'x' });
  const sid = randomToken(32);
  await createSession(queryable, { idHash: sha256(sid), userId: user.id, csrfToken: randomToken(24), ttlMs: 3_600_000 });
  await db.end();
  let flagged = 0;
  // Resolved once the stream is open, so no comment posted afterwards can be announced before it listens.
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/events', headers: { Cookie: `vigie_sid=${sid}` }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`dashboard stream answered ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let pending = '';
      res.on('data', (chunk: string) => {
        const messages = (pending + chunk).split('\n\n');
        pending = messages.pop() ?? '';
        flagged += messages.filter((m) => m.startsWith('event: flagged\n')).length;
      });
      resolve({ flagged: () => flagged, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

interface DecisionTimes {
  decided: number;
  decidedPerS: number;
  timeToDecisionMs: { p50: number; p99: number };
}

/** From each comment's arrival to its decision, read back from the store once the backlog drained. */
async function readDecisionTimes(db: { query(sql: string): Promise<{ rows: Record<string, unknown>[] }> }): Promise<DecisionTimes> {
  const { rows } = await db.query(
    `SELECT extract(epoch FROM (decided_at - created_at)) * 1000 AS ms FROM comments WHERE decided_at IS NOT NULL ORDER BY 1`,
  );
  const span = (await db.query(`SELECT extract(epoch FROM (max(decided_at) - min(created_at))) AS s FROM comments`)).rows[0].s;
  const ttd = rows.map((r) => Number(r.ms));
  return {
    decided: ttd.length,
    decidedPerS: Math.round(ttd.length / Number(span)),
    timeToDecisionMs: { p50: Math.round(percentile(ttd, 50)), p99: Math.round(percentile(ttd, 99)) },
  };
}

/** What every Vigie process of a shape is started with, plus where its store is. */
function vigieEnv(prefix: string, port: number, store: { DATABASE_URL: string } | { DATA_DIR: string }): Record<string, string> {
  return {
    ...store,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    WEBHOOK_SECRET: SECRET,
    VIGIE_DEMO: '0',
    SCORERS,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    // Unset = the config default.
    ...(WORKER_SCORING_THREADS === undefined ? {} : { WORKER_SCORING_THREADS }),
  };
}

/**
 * Signed posts from autocannon for DURATION_S. Signed before the clock starts (well within the
 * 5-minute signature tolerance), so the load generator spends its share of the two cores on
 * sending, not on HMACs.
 */
async function postLoad(port: number): Promise<{ result: autocannon.Result; generator: NodeJS.CpuUsage }> {
  const presigned = Array.from({ length: PRESIGNED }, (_, n) => signedPost(n));
  const generatorBefore = process.cpuUsage();
  let counter = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/comments`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        setupRequest: (request) => {
          const n = counter++;
          return { ...request, ...(presigned[n] ?? signedPost(n)) };
        },
      },
    ],
  });
  return { result, generator: process.cpuUsage(generatorBefore) };
}

async function runShape(shape: Exclude<Shape, 'embedded'>): Promise<Record<string, unknown>> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const prefix = `vigiebench-${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const port = 31_000 + Math.floor(Math.random() * 2_000);
  const env = vigieEnv(prefix, port, { DATABASE_URL: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` });
  let serve: VigieProcess | undefined;
  let worker: VigieProcess | undefined;
  try {
    serve = spawnVigie(shape === 'in-process' ? ['serve'] : ['serve', '--no-worker'], env, profilerFlags);
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok ?? false, 60_000, 'serve');
    if (shape === 'separate-worker') {
      worker = spawnVigie(['worker'], env, profilerFlags);
      await waitUntil(async () => (await connectedWorkers(prefix)) > 0, 60_000, 'the worker to take jobs');
    }
    const dashboards = await Promise.all(Array.from({ length: DASHBOARDS }, (_, n) => openDashboard(port, schema, n)));
    progress(`${shape}: posting for ${DURATION_S} s with ${CONNECTIONS} connections`);
    const cpuBefore = { api: cpuMs(serve.child.pid), worker: cpuMs(worker?.child.pid), redis: serverCpuMs('redis-server'), postgres: serverCpuMs('postgres') };
    const { result, generator } = await postLoad(port);
    const accepted = result['2xx'] * COMMENTS_PER_POST;
    progress(`${shape}: ${accepted} accepted; waiting for the decisions`);
    const db = new Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
    await db.connect();
    try {
      await waitUntil(
        async () => (await db.query(`SELECT count(*)::int AS n FROM comments WHERE status = 'pending'`)).rows[0].n === 0,
        300_000,
        'the backlog to drain',
      );
      // The last announcements of the stream trail the decisions by a lookup.
      await new Promise((resolve) => setTimeout(resolve, DASHBOARDS > 0 ? 500 : 0));
      for (const dashboard of dashboards) dashboard.close();
      const cpuAfter = { api: cpuMs(serve.child.pid), worker: cpuMs(worker?.child.pid), redis: serverCpuMs('redis-server'), postgres: serverCpuMs('postgres') };
      const { decided, decidedPerS, timeToDecisionMs } = await readDecisionTimes(db);
      return {
        shape,
        acceptedPerS: Math.round(accepted / DURATION_S),
        ...(DASHBOARDS > 0
          ? {
              flaggedInStore: (await db.query(`SELECT count(*)::int AS n FROM comments WHERE decision IN ('review', 'reject')`)).rows[0].n,
              flaggedShownPerDashboard: dashboards.map((d) => d.flagged()),
            }
          : {}),
        non2xx: result.non2xx,
        errors: result.errors,
        acceptLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
        decidedPerS,
        timeToDecisionMs,
        // From posting to drained; CPU time per decided comment, to compare runs on a busy machine.
        cpuMsPerComment: {
          ...(shape === 'in-process'
            ? { apiAndWorker: round((cpuAfter.api - cpuBefore.api) / decided, 2) }
            : { api: round((cpuAfter.api - cpuBefore.api) / decided, 2), worker: round((cpuAfter.worker - cpuBefore.worker) / decided, 2) }),
          loadGenerator: round((generator.user + generator.system) / 1000 / result.requests.total, 2),
          // Every Redis and PostgreSQL server process on the machine: quiet ones add nothing.
          redis: round((cpuAfter.redis - cpuBefore.redis) / decided, 2),
          postgres: round((cpuAfter.postgres - cpuBefore.postgres) / decided, 2),
        },
      };
    } finally {
      await db.end();
    }
  } finally {
    await Promise.all([stop(worker), stop(serve)]);
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    await deletePrefix(prefix);
  }
}

/**
 * `npm start` as installed: `vigie serve` on its embedded PGlite database. The store can only be
 * read once the process has stopped (PGlite serves one process), so the drain is followed in Redis.
 */
async function runEmbeddedShape(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-bench-embedded-'));
  const prefix = `vigiebench-${randomBytes(3).toString('hex')}`;
  const port = 31_000 + Math.floor(Math.random() * 2_000);
  const env = vigieEnv(prefix, port, { DATA_DIR: dataDir });
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
  let serve: VigieProcess | undefined;
  try {
    serve = spawnVigie(['serve'], env, profilerFlags);
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok ?? false, 60_000, 'serve');
    progress(`embedded: posting for ${DURATION_S} s with ${CONNECTIONS} connections`);
    const cpuBefore = { vigie: cpuMs(serve.child.pid), redis: serverCpuMs('redis-server') };
    const { result, generator } = await postLoad(port);
    const accepted = result['2xx'] * COMMENTS_PER_POST;
    progress(`embedded: ${accepted} accepted; waiting for the decisions`);
    await waitUntil(
      async () => {
        const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
        return Object.values(counts).every((n) => n === 0);
      },
      300_000,
      'the backlog to drain',
    );
    const cpuAfter = { vigie: cpuMs(serve.child.pid), redis: serverCpuMs('redis-server') };
    await stop(serve);
    const db = await openDatabase({ dataDir });
    try {
      const { decided, decidedPerS, timeToDecisionMs } = await readDecisionTimes(db);
      const left = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE status = 'pending'`)).rows[0].n;
      return {
        shape: 'embedded',
        acceptedPerS: Math.round(accepted / DURATION_S),
        non2xx: result.non2xx,
        errors: result.errors,
        stillPending: left,
        acceptLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
        decidedPerS,
        timeToDecisionMs,
        cpuMsPerComment: {
          apiWorkerAndDatabase: round((cpuAfter.vigie - cpuBefore.vigie) / decided, 2),
          loadGenerator: round((generator.user + generator.system) / 1000 / result.requests.total, 2),
          redis: round((cpuAfter.redis - cpuBefore.redis) / decided, 2),
        },
      };
    } finally {
      await db.close();
    }
  } finally {
    await stop(serve);
    await queue.close();
    await closeRedisConnection(connection);
    await deletePrefix(prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Our job shape: single adds from concurrent callers, processed as they arrive by a worker of our concurrency. */
async function rawComparable(prefix: string): Promise<{ addPerS: number; processPerS: number }> {
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const workerConnection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('raw-comparable', { connection, prefix });
  let done = 0;
  let resolveDone: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (resolveDone = resolve));
  const worker = new Worker('raw-comparable', async () => undefined, { connection: workerConnection, prefix, concurrency: WORKER_CONCURRENCY });
  worker.on('completed', () => ++done === RAW_JOBS && resolveDone());
  await worker.waitUntilReady();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let i = next++; i < RAW_JOBS; i = next++) {
        const data = { commentId: `c${i}`, textHash: randomBytes(32).toString('hex') };
        await queue.add('score', data, { ...SCORE_JOB_OPTIONS, jobId: `live-${data.commentId}`, priority: PRIORITY.live });
      }
    }),
  );
  const addPerS = RAW_JOBS / ((Date.now() - started) / 1000);
  await allDone;
  const processPerS = RAW_JOBS / ((Date.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await Promise.all([connection.quit(), workerConnection.quit()]);
  return { addPerS, processPerS };
}

/** The previous reference: addBulk first, then a concurrency-100 no-op worker on the full queue. */
async function rawBulk(prefix: string): Promise<{ addPerS: number; processPerS: number }> {
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const workerConnection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, prefix });
  const started = Date.now();
  for (let i = 0; i < RAW_JOBS; i += 1_000) {
    await queue.addBulk(Array.from({ length: 1_000 }, (_, k) => ({ name: 'raw', data: { i: i + k }, opts: { removeOnComplete: true } })));
  }
  const addPerS = RAW_JOBS / ((Date.now() - started) / 1000);
  let done = 0;
  const processStart = Date.now();
  const worker = new Worker('raw', async () => undefined, { connection: workerConnection, prefix, concurrency: 100 });
  await new Promise<void>((resolve) => worker.on('completed', () => ++done === RAW_JOBS && resolve()));
  const processPerS = RAW_JOBS / ((Date.now() - processStart) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await Promise.all([connection.quit(), workerConnection.quit()]);
  return { addPerS, processPerS };
}

async function main(): Promise<void> {
  const wanted = (process.env.BENCH_SHAPES ?? SHAPES.join(',')).split(',') as Shape[];
  const loadBefore = os.loadavg()[0];
  const pipeline = [];
  for (const shape of SHAPES.filter((s) => wanted.includes(s))) pipeline.push(shape === 'embedded' ? await runEmbeddedShape() : await runShape(shape));
  progress('raw BullMQ references');
  const prefix = `vigiebench-raw-${randomBytes(3).toString('hex')}`;
  const comparable = await rawComparable(prefix);
  const bulk = await rawBulk(prefix);
  await deletePrefix(prefix);
  const ratio = (decidedPerS: unknown) => round(Number(decidedPerS) / comparable.processPerS, 2);
  console.log(
    JSON.stringify(
      {
        durationS: DURATION_S,
        connections: CONNECTIONS,
        commentsPerPost: COMMENTS_PER_POST,
        dashboards: DASHBOARDS,
        scorers: SCORERS,
        workerConcurrency: WORKER_CONCURRENCY,
        workerScoringThreads: WORKER_SCORING_THREADS ?? 'default',
        // Other work on the machine skews every figure: the 1-minute load average before and after.
        loadAverage: { before: round(loadBefore, 1), after: round(os.loadavg()[0], 1), cpus: os.cpus().length },
        pipeline: pipeline.map((p) => ({ ...p, decidedVsRawComparable: ratio(p.decidedPerS) })),
        rawBullmq: {
          comparable: { addPerS: Math.round(comparable.addPerS), processPerS: Math.round(comparable.processPerS) },
          bulk: { addPerS: Math.round(bulk.addPerS), processPerS: Math.round(bulk.processPerS) },
        },
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
