/**
 * `vigie rescore` end to end on 100,000 stored comments: the dry run (score in-process, diff,
 * write nothing) and the applied rescore (enqueue at batch priority → in-process score workers
 * from workers/score.worker.ts → decisions), with the default word-list scorer.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/rescore.js
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node dist/bench/rescore.js   # PostgreSQL (throwaway schema)
 *
 * Env: BENCH_COMMENTS (100000), BENCH_CONCURRENCY (worker concurrency, 128), BENCH_WORKERS (2),
 * REDIS_URL, DATABASE_URL (unset = PGlite in a temporary directory), DATASETS (../shared/datasets),
 * BENCH_PHASES (dry,apply), BENCH_THREADS (dry-run scoring threads; default as the CLI, 0 = main thread),
 * BENCH_WORKER_THREADS (the score workers' scoring threads, shared by them; default 1 as `vigie serve`, 0 = main thread), BENCH_SYNC_COMMIT=off (PostgreSQL without an fsync per commit, to separate disk from pipeline cost).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { contentKeyOf, hashText } from '../src/domain/hashing';
import { severityOf, topLabelOf } from '../src/domain/severity';
import { silentLogger } from '../src/lib/logger';
import { applyRescore } from '../src/operations/apply-rescore';
import { runDryRun } from '../src/operations/dry-run';
import { DEFAULT_SCORING_THREADS, openScoringPool } from '../src/operations/scoring-pool';
import { QUEUE_NAMES } from '../src/queue/names';
import { createScoringEngine, type ScoringEngine } from '../src/scoring/engine';
import { deletePrefix } from '../test/helpers/redis';
import { createScorers, DEFAULT_SCORER_NAMES, parseScorerNames } from '../src/scoring/registry';
import { openDatabase, type Database } from '../src/store/database';
import { newId } from '../src/store/ids';
import { migrate } from '../src/store/migrate';
import { loadPolicy, parsePolicy } from '../src/triage/policy';
import { createScoreWorker } from '../workers/score.worker';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PHASES = (process.env.BENCH_PHASES ?? 'dry,apply').split(',');
const DRY_RUN_THREADS = Number(process.env.BENCH_THREADS ?? DEFAULT_SCORING_THREADS);
/** As `vigie serve` (the single-process PGlite deployment this bench stands for) scores by default. */
const WORKER_THREADS = Number(process.env.BENCH_WORKER_THREADS ?? 1);
const ROWS_PER_INSERT = 1_000;
const COMMENTS_PER_ARTICLE = 100;

function parseCsvColumn(file: string, column: string, limit: number): string[] {
  const content = fs.readFileSync(file, 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < content.length && rows.length <= limit; i++) {
    const c = content[i];
    if (quoted) {
      if (c === '"' && content[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  const [header, ...data] = rows;
  const index = header.indexOf(column);
  return index < 0 ? [] : data.map((r) => r[index]).filter((t) => t && t.trim() !== '');
}

/** Real comments when the shared datasets are there, else sentences built from the word lists. */
function commentTexts(): string[] {
  const datasets = process.env.DATASETS ?? path.resolve('../shared/datasets');
  const texts: string[] = [];
  try {
    texts.push(...parseCsvColumn(path.join(datasets, 'en/civil-toxic-spans/derived_per_comment_labels.csv'), 'comment_text', 20_000));
  } catch {
    // fall back to the generated sentences below
  }
  const openers = ['Merci pour cet article', 'Quel idiot ce ministre', 'Encore un papier orienté', 'Bande de cons', 'Thanks for the report', 'What an idiot', 'Ce type est un fils de pute', 'Je ne suis pas d’accord', 'You are a moron', 'Article très clair'];
  for (let i = 0; i < 200; i++) texts.push(`${openers[i % openers.length]}, franchement. Point ${i}.`);
  return texts;
}

async function openBenchDatabase(): Promise<{ db: Database; label: string; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    // BENCH_SYNC_COMMIT=off measures the pipeline without the disk's fsync per commit (not durable:
    // a benchmark figure only). The connection string's options override the pool's, so the
    // schema goes there too.
    const syncOff = process.env.BENCH_SYNC_COMMIT === 'off';
    const databaseUrl = syncOff
      ? `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema} -c synchronous_commit=off`)}`
      : url;
    const db = await openDatabase({ databaseUrl, dataDir: '', schema, poolSize: 20 });
    return {
      db,
      label: `postgres (schema ${schema}${syncOff ? ', synchronous_commit=off' : ''})`,
      drop: async () => {
        await db.close();
        const client = new Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-bench-'));
  const db = await openDatabase({ dataDir: dir });
  return { db, label: `pglite (${dir})`, drop: async () => (await db.close(), fs.rmSync(dir, { recursive: true, force: true })) };
}

function placeholders(rows: number, columns: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`);
  return out.join(', ');
}

/** Comments with a current machine decision by the shipped policy: multi-row INSERTs, one transaction per 1,000. */
async function seed(db: Database, engine: ScoringEngine, texts: string[]): Promise<void> {
  const articleIds: string[] = [];
  for (let a = 0; a * COMMENTS_PER_ARTICLE < COMMENTS; a++) articleIds.push(newId());
  for (let start = 0; start < articleIds.length; start += ROWS_PER_INSERT) {
    const chunk = articleIds.slice(start, start + ROWS_PER_INSERT);
    await db.query(
      `INSERT INTO articles (id, site_id, url, title) VALUES ${placeholders(chunk.length, 4)}`,
      chunk.flatMap((id, i) => [id, `site-${(start + i) % 3}`, `https://journal.example.fr/a/${start + i}`, `Article ${start + i}`]),
    );
  }
  for (let start = 0; start < COMMENTS; start += ROWS_PER_INSERT) {
    const n = Math.min(ROWS_PER_INSERT, COMMENTS - start);
    const items = Array.from({ length: n }, (_, i) => {
      const k = start + i;
      const text = `${texts[k % texts.length]} #${k}`;
      return { id: newId(), k, text, hash: hashText(text), articleId: articleIds[Math.floor(k / COMMENTS_PER_ARTICLE)] };
    });
    const results = await engine.scoreTexts(items.map((item) => ({ text: item.text })));
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO comments (id, site_id, article_id, source, source_id, author, text, text_hash, content_key, published_at,
           status, decision, decided_by, severity, top_label, language, decided_at)
         VALUES ${placeholders(n, 17)}`,
        items.flatMap((item, i) => {
          const r = results[i];
          return [item.id, `site-${Math.floor(item.k / COMMENTS_PER_ARTICLE) % 3}`, item.articleId, 'seed', `s-${item.k}`, `author${item.k % 5000}`, item.text, item.hash,
            contentKeyOf(`author${item.k % 5000}`, item.text), new Date(Date.UTC(2026, 9, 1) + item.k * 60_000).toISOString(), 'scored', r.decision, 'machine',
            severityOf(r.scores), topLabelOf(r.scores), r.language, new Date().toISOString()];
        }),
      );
      await tx.query(
        `INSERT INTO decisions (id, comment_id, text_hash, actor, decision, language, scores, reasons, spans, model_version, policy_version, is_current)
         VALUES ${placeholders(n, 12)}`,
        items.flatMap((item, i) => {
          const r = results[i];
          return [newId(), item.id, item.hash, 'machine', r.decision, r.language, JSON.stringify(r.scores), JSON.stringify(r.reasons), JSON.stringify(r.spans), r.modelVersion, r.policyVersion, true];
        }),
      );
    });
  }
}

/**
 * CPU time of this process (every thread; Redis excluded) since `start`: on a shared machine it
 * moves much less than wall time with what else is running, so compare runs on it too.
 */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return Number(((user + system) / 1e6).toFixed(1));
}

async function main(): Promise<void> {
  const logger = silentLogger();
  const { db, label, drop } = await openBenchDatabase();
  const prefix = `vigiebench-${randomBytes(4).toString('hex')}`;
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const figures: Record<string, unknown> = { comments: COMMENTS, database: label, workers: WORKERS, concurrency: CONCURRENCY };
  const closers: (() => Promise<unknown>)[] = [];
  try {
    await migrate(db);
    const scorerNames = parseScorerNames(process.env.SCORERS ?? DEFAULT_SCORER_NAMES.join(','));
    figures.scorers = scorerNames.join(',');
    const scorers = await createScorers(scorerNames);
    const shipped = loadPolicy();
    const strictRaw = JSON.parse(JSON.stringify(shipped));
    strictRaw.version = `${shipped.version}-bench-strict`;
    // Every language's thresholds: the shipped policy has calibrated fr/en blocks besides `default`.
    for (const thresholds of Object.values(strictRaw.thresholds) as { review: Record<string, number>; reject: Record<string, number> }[]) {
      thresholds.review.insult = 0.3;
      thresholds.review.toxicity = 0.3;
      thresholds.reject.insult = 0.9;
    }
    const strictPolicy = parsePolicy(strictRaw);
    const strict = createScoringEngine({ scorers, policy: strictPolicy });
    const texts = commentTexts();

    let t = performance.now();
    await seed(db, createScoringEngine({ scorers, policy: shipped }), texts);
    figures.seedSeconds = Number(((performance.now() - t) / 1000).toFixed(1));

    if (PHASES.includes('dry')) {
      // As `vigie rescore --dry-run` scores: on threads (models loaded before the clock starts,
      // like the main thread's engine above).
      t = performance.now();
      const pool = await openScoringPool({ threads: DRY_RUN_THREADS, scorerNames, policy: strictPolicy, scorerOptions: {} });
      if (pool) closers.push(() => pool.close());
      figures.dryRunThreads = pool?.threads ?? 0;
      figures.dryRunThreadsStartSeconds = Number(((performance.now() - t) / 1000).toFixed(1));
      t = performance.now();
      const cpu = process.cpuUsage();
      const dry = await runDryRun({ db, engine: pool ?? strict, filter: {}, batchSize: 1_000 });
      figures.dryRunSeconds = Number(((performance.now() - t) / 1000).toFixed(1));
      figures.dryRunCpuSeconds = cpuSecondsSince(cpu);
      figures.dryRunPerSecond = Math.round(dry.scored / ((performance.now() - t) / 1000));
      figures.dryRunChanged = dry.changed;
      figures.dryRunFlips = dry.flips;
      figures.peakRssMbAfterDryRun = Math.round(process.memoryUsage().rss / 1024 / 1024);
    }

    if (PHASES.includes('apply')) {
      const queue = new Queue(QUEUE_NAMES.score, { connection: redis, prefix });
      closers.push(() => queue.close());
      // As `vigie serve` scores (WORKER_SCORING_THREADS), the threads' models loaded before the clock starts.
      const scoringPool = await openScoringPool({ threads: WORKER_THREADS, scorerNames, policy: strictPolicy, scorerOptions: {} });
      if (scoringPool) closers.push(() => scoringPool.close());
      figures.workerScoringThreads = scoringPool?.threads ?? 0;
      for (let w = 0; w < WORKERS; w++) {
        const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
        const worker = createScoreWorker({ connection, db, engine: strict, logger, prefix, concurrency: CONCURRENCY, maxBatchSize: 128, scoringPool });
        void worker.worker.run();
        closers.push(async () => (await worker.close(), await connection.quit()));
    }
    t = performance.now();
    const cpu = process.cpuUsage();
    figures.loadAverageBeforeApply = Number(os.loadavg()[0].toFixed(1));
    let lastLine = 0;
    const applied = await applyRescore({
      db,
      queue,
      redis,
      openEvents: (lastEventId) => {
        const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
        const events = new QueueEvents(QUEUE_NAMES.score, { connection, prefix, lastEventId });
        closers.push(async () => (await events.close(), connection.disconnect()));
        return events;
      },
      filter: {},
      target: strict,
      onProgress: (finished, queued) => {
        if (performance.now() - lastLine > 5_000) {
          lastLine = performance.now();
          process.stderr.write(`apply: ${finished} finished, ${queued} queued, ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
        }
      },
      logger,
    });
    figures.applySeconds = Number(((performance.now() - t) / 1000).toFixed(1));
    figures.applyCpuSeconds = cpuSecondsSince(cpu);
    figures.loadAverageAfterApply = Number(os.loadavg()[0].toFixed(1));
    figures.applyPerSecond = Math.round(applied.finished / ((performance.now() - t) / 1000));
    figures.applyEnqueued = applied.enqueued;
    figures.applyFinished = applied.finished;
    figures.applyOutcomes = applied.outcomes;
    const written = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM decisions WHERE is_current AND policy_version = $1`,
      [strict.policyVersion],
    );
    figures.currentDecisionsWithNewPolicy = written.rows[0].n;

    t = performance.now();
    const again = await applyRescore({ db, queue, redis, openEvents: () => { throw new Error('nothing to follow'); }, filter: {}, target: strict, follow: false, logger });
    figures.rerunSeconds = Number(((performance.now() - t) / 1000).toFixed(1));
    figures.rerunEnqueued = again.enqueued;
    figures.rerunUpToDate = again.upToDate;
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await deletePrefix(prefix).catch(() => undefined);
    await redis.quit();
    await drop();
  }
  console.log(JSON.stringify(figures, null, 2));
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
