import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Command } from 'commander';
import { ensureInitialAdmin } from '../auth/initial-admin';
import { createApp } from '../http/app';
import { createRedisHub } from '../http/live/hub';
import { acceptComments } from '../ingest/accept-comments';
import { packageRoot } from '../lib/package-root';
import { countComments } from '../store/comments.repository';
import { startWorkers } from './start-workers';
import { commentsFromFile } from './read-source';
import { openBase, openScoreQueue, openStore, requireRedis, type Base } from './runtime';
import { resolveWebhookSecret } from './webhook-secret';
import type { Database } from '../store/database';
import { Queue } from 'bullmq';
import { createMetrics } from '../lib/metrics';
import { gracefulHttpClose } from '../lib/shutdown';
import { QUEUE_NAMES } from '../queue/names';
import { enqueueNotify } from '../queue/producers';
import { getCurrentDecision } from '../store/decisions.repository';
import { closeRedisConnection } from '../queue/connection';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the API, the dashboard and a score worker in one process')
    .option('--no-worker', 'do not score in this process (workers run elsewhere)')
    .action(async (options: { worker: boolean }) => {
      const base = openBase();
      await serve(base, options);
    });
}

async function serve(base: Base, options: { worker: boolean }): Promise<void> {
  const { config, logger, shutdown } = base;
  await requireRedis(config);
  const db = await openStore(base);
  const { queue: scoreQueue, connection } = openScoreQueue(base);
  const webhookSecret = resolveWebhookSecret(config, logger);
  const metrics = createMetrics();
  // Scoring on a thread by default: the event loop then stays free for the API and the database.
  const workers = options.worker
    ? await startWorkers(base, db, scoreQueue, { metrics, scoringThreads: config.WORKER_SCORING_THREADS ?? 1 })
    : undefined;
  const notifyQueue = config.CALLBACK_URL ? new Queue(QUEUE_NAMES.notify, { connection, prefix: config.QUEUE_PREFIX }) : undefined;
  metrics.watchQueues(notifyQueue ? [scoreQueue, notifyQueue] : [scoreQueue]);

  // Hears score workers on every machine (QueueEvents) and shares moderator actions between API processes.
  const live = await createRedisHub({ redisUrl: config.REDIS_URL, queuePrefix: config.QUEUE_PREFIX, db, logger });
  const admin = await ensureInitialAdmin(db, logger);
  if (admin) process.stdout.write(`\nInitial dashboard account: ${admin.name}\nPassword (shown once): ${admin.password}\n\n`);
  const app = createApp({
    db,
    scoreQueue,
    webhookSecret,
    logger,
    live,
    metrics,
    boardQueues: notifyQueue ? [scoreQueue, notifyQueue] : [scoreQueue],
    onModeratorDecision: notifyQueue ? (commentId) => notifyCurrentDecision(db, notifyQueue, commentId) : undefined,
    readiness: {
      database: async () => void (await db.query('SELECT 1')),
      redis: async () => void (await connection.ping()),
    },
  });
  const server = http.createServer(app);
  const closeHttp = gracefulHttpClose(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });

  // First: ending the event streams lets the HTTP server close (they never go idle on their own).
  shutdown.register('live updates', () => live.close());
  shutdown.register('http', closeHttp);
  if (workers) shutdown.register('workers', workers.closeWorkers);
  shutdown.register('queues', async () => {
    await workers?.closeQueues();
    await notifyQueue?.close();
    await scoreQueue.close();
  });
  shutdown.register('redis', async () => {
    await workers?.closeRedis();
    await closeRedisConnection(connection);
  });
  shutdown.register('database', () => db.close());
  shutdown.installSignalHandlers();
  // Only now: a SIGTERM during start-up then finds no job in hand (it would be retaken after WORKER_LOCK_MS).
  workers?.start();

  if (config.VIGIE_DEMO) await ingestDemoIfEmpty(base, db, scoreQueue);
  logger.info({ url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}` }, 'Vigie is serving');
}

/** A moderator's decision is what the CMS should apply: queue it like a machine one. */
async function notifyCurrentDecision(db: Database, notifyQueue: Queue, commentId: string): Promise<void> {
  const current = await getCurrentDecision(db, commentId);
  if (current) await enqueueNotify(notifyQueue, { commentId, decisionId: current.id });
}

/** First start with an empty store: ingest fixtures/demo so the dashboard has something to show. */
async function ingestDemoIfEmpty(base: Base, db: Database, scoreQueue: Queue): Promise<void> {
  if ((await countComments(db)) > 0) return;
  const dir = path.join(packageRoot(), 'fixtures', 'demo');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.txt') || f.endsWith('.html'));
  for (const file of files) {
    const comments = await commentsFromFile(path.join(dir, file), { siteId: 'demo' });
    const accepted = await acceptComments({ db, scoreQueue, logger: base.logger }, comments);
    base.logger.info({ file, comments: accepted.length }, 'demo article ingested');
  }
}
