import { z } from 'zod';

/** Environment flags accept the spellings operators actually type. */
const booleanFlag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const configSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VIGIE_DEMO: booleanFlag.default(true),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only').default('vigie'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** Unset: 1 for `vigie serve` (API and worker share one process), 0 for `vigie worker`. */
  WORKER_SCORING_THREADS: z.coerce.number().int().min(0).max(16).optional(),
  SCORERS: z
    .string()
    .regex(/^[a-z-]+(,[a-z-]+)*$/, 'a comma-separated list such as own,lexicon')
    .default('own,lexicon'),
  POLICY_FILE: z.string().min(1).optional(),
  TOXICITY_MODEL_DIR: z.string().min(1).optional(),
  PENDING_SWEEP_AFTER_MS: z.coerce.number().int().min(1000).default(60_000),
  CALLBACK_URL: z.string().url().optional(),
  ALLOW_PRIVATE_FETCH: booleanFlag.default(false),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** The one place that reads process.env. Empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') relevant[key] = value.trim();
  }
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const value = relevant[name];
        const shown = value === undefined ? '' : name.includes('SECRET') ? ' (value hidden)' : ` (got "${value}")`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  return Object.freeze(parsed.data);
}

/** Documentation source for the README config table and `vigie config`. */
export const CONFIG_DOCS: Record<keyof z.infer<typeof configSchema>, string> = {
  PORT: 'HTTP port of the API and dashboard (default 3000)',
  HOST: 'Interface to listen on (default 127.0.0.1; 0.0.0.0 in containers)',
  REDIS_URL: 'Redis for the BullMQ queues (default redis://127.0.0.1:6379)',
  DATABASE_URL: 'PostgreSQL URL; unset = embedded PGlite under DATA_DIR (single-process mode only)',
  DATA_DIR: 'Where the embedded database, generated secrets and model caches live (default ./data)',
  WEBHOOK_SECRET: 'HMAC secret of the CMS webhook (≥16 chars); unset = generated once into DATA_DIR/webhook-secret',
  LOG_LEVEL: 'pino level: fatal|error|warn|info|debug|trace|silent (default info)',
  VIGIE_DEMO: 'Ingest the sample articles in fixtures/demo on first start with an empty store (default 1)',
  QUEUE_PREFIX: 'BullMQ key prefix, to share one Redis between installations (default vigie)',
  WORKER_CONCURRENCY: 'Jobs a worker process scores at once; they are micro-batched into model calls (default 64)',
  WORKER_LOCK_MS: 'How long a job stays locked to a worker without renewal; a crashed worker\'s jobs are retaken after this (default 30000)',
  WORKER_SCORING_THREADS: 'Threads a score worker scores on, each with its own copy of the models, while its main thread reads and writes the database and the queue; 0 = score on the main thread (default 1 for `vigie serve`, 0 for `vigie worker`: scale a worker out with processes)',
  SCORERS: 'Scorers to run, comma-separated: own, lexicon, toxicity (default own,lexicon)',
  POLICY_FILE: 'Triage policy JSON (thresholds per label and language); default models/policy.json',
  TOXICITY_MODEL_DIR: 'Local directory with the published TF.js toxicity model (model.json, shards, vocab.json)',
  PENDING_SWEEP_AFTER_MS: 'A comment still pending after this long is re-enqueued by the sweeper (default 60000)',
  CALLBACK_URL: 'CMS URL that receives each decision on a signed webhook; unset = no notifications',
  ALLOW_PRIVATE_FETCH: 'Allow `vigie ingest <url>` to fetch private/loopback addresses (default 0: refused)',
};
