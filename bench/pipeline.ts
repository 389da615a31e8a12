/**
 * npm run bench:pipeline — sustained signed webhook posts (autocannon, this process) into a
 * `vigie serve` child process (API + worker, PostgreSQL store), then the time from acceptance to
 * decision read back from the store; and, on the same Redis, raw BullMQ add+process throughput as
 * the reference. Needs Redis on REDIS_URL and PostgreSQL on BENCH_DATABASE_URL (default: the test DB).
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { signPayload } from '../src/ingest/webhook/signature';
import { spawnVigie, waitUntil } from '../test/helpers/processes';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECRET = randomBytes(16).toString('hex');

const TEXTS = [
  'Merci pour cet article très complet sur la situation au Mali.',
  'Retournez à l’école, bande de charlots !',
  'Je ne suis pas d’accord avec l’analyse, les chiffres de 2022 disent autre chose.',
  'You are an idiot and everybody knows it.',
  'Great reporting, thanks for the context on the fuel blockade.',
];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function rawBullmq(prefix: string, jobs = 20_000): Promise<{ addPerS: number; processPerS: number }> {
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, prefix });
  const started = Date.now();
  for (let i = 0; i < jobs; i += 1_000) {
    await queue.addBulk(Array.from({ length: 1_000 }, (_, k) => ({ name: 'raw', data: { i: i + k }, opts: { removeOnComplete: true } })));
  }
  const addPerS = jobs / ((Date.now() - started) / 1000);
  let done = 0;
  const processStart = Date.now();
  const worker = new Worker('raw', async () => undefined, { connection: new IORedis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency: 100 });
  await new Promise<void>((resolve) => worker.on('completed', () => ++done === jobs && resolve()));
  const processPerS = jobs / ((Date.now() - processStart) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await connection.quit();
  return { addPerS, processPerS };
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const prefix = `vigiebench-${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const port = 31_000 + Math.floor(Math.random() * 2_000);
  const serve = spawnVigie(['serve'], {
    DATABASE_URL: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    WEBHOOK_SECRET: SECRET,
    VIGIE_DEMO: '0',
    SCORERS: process.env.SCORERS ?? 'own,lexicon',
    LOG_LEVEL: 'warn',
  });
  try {
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok ?? false, 60_000, 'serve');
    let counter = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api/comments`,
      method: 'POST',
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [{ setupRequest: (request) => {
        const n = counter++;
        const body = JSON.stringify({
          site: 'bench',
          article: { url: `https://bench.example/a/${n % 50}`, title: 'Bench' },
          comment: { id: `b${n}`, parentId: null, author: `reader${n % 500}`, text: `${TEXTS[n % TEXTS.length]} #${n}`, publishedAt: null },
        });
        request.body = body;
        request.headers = { 'content-type': 'application/json', 'x-vigie-signature': signPayload(SECRET, body) };
        return request;
      } }],
    });
    const accepted = result['2xx'];
    // Let the worker drain what was accepted, then read the decision times back.
    const db = new Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
    await db.connect();
    await waitUntil(
      async () => (await db.query(`SELECT count(*)::int AS n FROM comments WHERE status = 'pending'`)).rows[0].n === 0,
      300_000,
      'the backlog to drain',
    );
    const { rows } = await db.query<{ ms: number }>(
      `SELECT extract(epoch FROM (decided_at - created_at)) * 1000 AS ms FROM comments ORDER BY 1`,
    );
    const span = (await db.query<{ s: number }>(`SELECT extract(epoch FROM (max(decided_at) - min(created_at))) AS s FROM comments`)).rows[0].s;
    const decidedTotal = rows.length;
    await db.end();
    const ttd = rows.map((r) => Number(r.ms));
    serve.child.kill('SIGTERM');
    await serve.exited;
    const raw = await rawBullmq(prefix);
    const decidedPerS = decidedTotal / Number(span);
    console.log(
      JSON.stringify(
        {
          durationS: DURATION_S,
          connections: CONNECTIONS,
          scorers: process.env.SCORERS ?? 'own,lexicon',
          acceptedPerS: Math.round(accepted / DURATION_S),
          non2xx: result.non2xx,
          errors: result.errors,
          acceptLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
          decidedPerS: Math.round(decidedPerS),
          timeToDecisionMs: { p50: Math.round(percentile(ttd, 50)), p99: Math.round(percentile(ttd, 99)) },
          rawBullmq: { addPerS: Math.round(raw.addPerS), processPerS: Math.round(raw.processPerS) },
          pipelineVsRawProcess: Number((decidedPerS / raw.processPerS).toFixed(2)),
        },
        null,
        2,
      ),
    );
  } finally {
    serve.child.kill('SIGKILL');
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
