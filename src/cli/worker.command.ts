import { Command } from 'commander';
import { startWorkers } from './start-workers';
import { openBase, openScoreQueue, openStore, requireRedis } from './runtime';
import { closeRedisConnection } from '../queue/connection';

export function workerCommand(): Command {
  return new Command('worker')
    .description('Run a score worker: takes jobs from Redis, writes decisions to the database')
    .option('--concurrency <n>', 'jobs scored at once (default WORKER_CONCURRENCY)', (v) => Number.parseInt(v, 10))
    .action(async (options: { concurrency?: number }) => {
      const base = openBase();
      const { config, logger, shutdown } = base;
      // From the start: a SIGTERM while the model loads exits cleanly (nothing has been taken from the queue yet).
      shutdown.installSignalHandlers();
      if (!config.DATABASE_URL) {
        logger.warn(
          'DATABASE_URL is not set: this worker uses its own embedded PGlite database under DATA_DIR, which no other ' +
            'process can see. Separate workers only make sense against a shared PostgreSQL (set DATABASE_URL); ' +
            'for one machine, `vigie serve` already runs a worker.',
        );
      }
      await requireRedis(config);
      const db = await openStore(base);
      const { queue: scoreQueue, connection } = openScoreQueue(base);
      // Scoring on the main thread by default: workers scale out as processes, and a thread's
      // hand-off costs CPU that a machine shared with the API does not have to spare.
      const workers = await startWorkers(base, db, scoreQueue, {
        concurrency: options.concurrency,
        scoringThreads: config.WORKER_SCORING_THREADS ?? 0,
      });
      shutdown.register('workers', workers.closeWorkers);
      shutdown.register('queues', async () => {
        await workers.closeQueues();
        await scoreQueue.close();
      });
      shutdown.register('redis', async () => {
        await workers.closeRedis();
        await closeRedisConnection(connection);
      });
      shutdown.register('database', () => db.close());
      workers.start();
      logger.info({ model: workers.engine.modelVersion, policy: workers.engine.policyVersion }, 'worker running');
    });
}
