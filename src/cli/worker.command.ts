import { Command } from 'commander';
import { createWorkerConnection } from '../queue/connection';
import { startPendingSweeper } from '../queue/sweeper';
import { createScoreWorker } from '../../workers/score.worker';
import { buildTriageEngine } from './build-engine';
import { openBase, openScoreQueue, openStore, requireRedis } from './runtime';

export function workerCommand(): Command {
  return new Command('worker')
    .description('Run a score worker: takes jobs from Redis, writes decisions to the database')
    .option('--concurrency <n>', 'jobs scored at once (default WORKER_CONCURRENCY)', (v) => Number.parseInt(v, 10))
    .action(async (options: { concurrency?: number }) => {
      const base = openBase();
      const { config, logger, shutdown } = base;
      if (!config.DATABASE_URL) {
        logger.warn(
          'DATABASE_URL is not set: this worker uses its own embedded PGlite database under DATA_DIR, which no other ' +
            'process can see. Separate workers only make sense against a shared PostgreSQL (set DATABASE_URL); ' +
            'for one machine, `vigie serve` already runs a worker.',
        );
      }
      await requireRedis(config);
      const db = await openStore(base);
      const engine = await buildTriageEngine(config, logger);
      const connection = createWorkerConnection(config.REDIS_URL);
      const { queue, connection: producer } = openScoreQueue(base);
      const scoreWorker = createScoreWorker({
        connection,
        db,
        engine,
        logger: logger.child({ component: 'score-worker' }),
        prefix: config.QUEUE_PREFIX,
        concurrency: options.concurrency ?? config.WORKER_CONCURRENCY,
      });
      const sweeper = startPendingSweeper({ db, scoreQueue: queue, logger, olderThanMs: config.PENDING_SWEEP_AFTER_MS });
      shutdown.register('score worker', scoreWorker.close);
      shutdown.register('sweeper', () => sweeper.stop());
      shutdown.register('score queue', () => queue.close());
      shutdown.register('redis', async () => {
        await connection.quit();
        await producer.quit();
      });
      shutdown.register('database', () => db.close());
      shutdown.installSignalHandlers();
      logger.info({ concurrency: options.concurrency ?? config.WORKER_CONCURRENCY, model: engine.modelVersion }, 'worker running');
      await scoreWorker.worker.run();
    });
}
