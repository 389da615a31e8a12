import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import pino from 'pino';
import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../lib/logger';
import { Shutdown } from '../lib/shutdown';
import { createProducerConnection, pingRedis } from '../queue/connection';
import { QUEUE_NAMES } from '../queue/names';
import { openDatabase, type Database } from '../store/database';
import { migrate } from '../store/migrate';

/** Exit codes shared by every command, so scripts can tell what went wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unavailable: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Base {
  config: Config;
  logger: Logger;
  shutdown: Shutdown;
}

/**
 * Services (`serve`, `worker`) log to stdout, where their supervisor collects it; one-shot
 * commands pass `logsTo: 'stderr'` so what they print (`--json`, a generated password) stays
 * alone on stdout and can be piped.
 */
export function openBase(options: { logsTo?: 'stdout' | 'stderr' } = {}): Base {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, options.logsTo === 'stderr' ? pino.destination(2) : undefined);
  return { config, logger, shutdown: new Shutdown(logger) };
}

export async function requireRedis(config: Config): Promise<void> {
  try {
    await pingRedis(config.REDIS_URL);
  } catch (err) {
    throw new CliError(
      `${(err as Error).message}\n` +
        'Vigie needs Redis for its queues. Start one with `docker compose up -d redis`, or install and start ' +
        "your distribution's redis-server package (Debian/Ubuntu: `sudo apt install redis-server`). " +
        'Set REDIS_URL if it runs elsewhere.',
      EXIT.unavailable,
    );
  }
}

export async function openStore(base: Base): Promise<Database> {
  const db = await openDatabase({
    databaseUrl: base.config.DATABASE_URL,
    dataDir: base.config.DATA_DIR,
    logger: base.logger,
  });
  const applied = await migrate(db);
  if (applied.length > 0) base.logger.info({ applied }, 'migrations applied');
  return db;
}

export function openScoreQueue(base: Base): { queue: Queue; connection: IORedis } {
  const connection = createProducerConnection(base.config.REDIS_URL);
  connection.on('error', (err) => base.logger.debug({ err: err.message }, 'redis producer connection error'));
  const queue = new Queue(QUEUE_NAMES.score, { connection, prefix: base.config.QUEUE_PREFIX });
  queue.on('error', (err) => base.logger.debug({ err: err.message }, 'score queue error'));
  return { queue, connection };
}
