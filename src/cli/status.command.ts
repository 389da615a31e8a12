import { Command } from 'commander';
import { Queue } from 'bullmq';
import { createProducerConnection, pingRedis } from '../queue/connection';
import { QUEUE_NAMES } from '../queue/names';
import type { Database } from '../store/database';
import { formatStatus, gatherStatus } from '../operations/status';
import { writeChunk } from '../operations/output-file';
import { CliError, EXIT } from './runtime';
import { openOperatorContext, type OperatorDeps } from './rescore.command';

export function statusCommand(deps: OperatorDeps = {}): Command {
  return new Command('status')
    .description('Queue depths, connected workers, throughput, model/policy versions in use, database and Redis health')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const ctx = openOperatorContext(deps);
      const { config, logger } = ctx.base;
      try {
        let db: Database | undefined;
        let databaseError: string | undefined;
        try {
          db = await ctx.openDb();
        } catch (err) {
          databaseError = (err as Error).message;
        }
        const report = await gatherStatus({
          redisUrl: config.REDIS_URL,
          pingRedis: () => pingRedis(config.REDIS_URL),
          openQueues: () => {
            const connection = createProducerConnection(config.REDIS_URL);
            connection.on('error', (err) => logger.debug({ err: err.message }, 'redis status connection error'));
            ctx.onClose('redis', async () => connection.disconnect());
            const queues = {
              score: new Queue(QUEUE_NAMES.score, { connection, prefix: config.QUEUE_PREFIX }),
              notify: new Queue(QUEUE_NAMES.notify, { connection, prefix: config.QUEUE_PREFIX }),
            };
            for (const queue of Object.values(queues)) {
              queue.on('error', (err) => logger.debug({ err: err.message }, 'queue error'));
              ctx.onClose('queue', () => queue.close());
            }
            return queues;
          },
          db,
          databaseKind: db?.kind ?? (config.DATABASE_URL ? 'postgres' : 'pglite'),
          databaseError,
        });
        await writeChunk(ctx.stdout, options.json ? JSON.stringify(report) + '\n' : formatStatus(report));
        if (!report.ok) {
          const down = [!report.redis.ok && `Redis (${report.redis.url})`, !report.database.ok && 'the database'].filter(Boolean).join(' and ');
          throw new CliError(down ? `unavailable: ${down}` : 'a queue could not be read', EXIT.unavailable);
        }
        if (report.warnings.length) throw new CliError(report.warnings.join('; '), EXIT.failure);
      } finally {
        await ctx.close();
      }
    });
}
