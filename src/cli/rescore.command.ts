import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Command } from 'commander';
import { QueueEvents } from 'bullmq';
import pino from 'pino';
import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../lib/logger';
import { closeRedisConnection, createWorkerConnection } from '../queue/connection';
import { QUEUE_NAMES } from '../queue/names';
import { parseScorerNames } from '../scoring/registry';
import { appendAudit } from '../store/audit.repository';
import type { Database } from '../store/database';
import { countSelection, listSiteIds, siteExists } from '../store/rescore.repository';
import { loadPolicy } from '../triage/policy';
import { applyRescore, type ApplyRescoreReport } from '../operations/apply-rescore';
import { describeFilter, InvalidFilterError, parseCommentFilter, type CommentFilter, type RawFilterOptions } from '../operations/comment-filter';
import { formatDryRunReport, runDryRun } from '../operations/dry-run';
import { openOutputFile, writeChunk } from '../operations/output-file';
import { DEFAULT_SCORING_THREADS, openScoringPool, type ScoringPool } from '../operations/scoring-pool';
import type { ScoringEngine } from '../scoring/engine';
import { createProgressReporter } from '../operations/progress';
import { buildTriageEngine } from './build-engine';
import { Shutdown } from '../lib/shutdown';
import { CliError, EXIT, openScoreQueue, openStore, requireRedis, type Base } from './runtime';

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

type Output = NodeJS.WritableStream & { isTTY?: boolean };

/** What the operator commands take from the process; tests hand over their own. */
export interface OperatorDeps {
  env?: NodeJS.ProcessEnv;
  stdout?: Output;
  stderr?: Output;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** an open, migrated database; the command then leaves it open */
  db?: Database;
  logger?: Logger;
  /** replaces Ctrl-C in tests */
  signal?: AbortSignal;
  /** answers the confirmation question (tests); default: ask on the terminal */
  confirm?: (question: string) => Promise<boolean>;
}

export interface OperatorContext {
  base: Base;
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** aborted on the first Ctrl-C; a second one exits at once */
  signal: AbortSignal;
  openDb(): Promise<Database>;
  /** closes what the command opened, in reverse order of opening */
  close(): Promise<void>;
  onClose(name: string, close: () => Promise<unknown>): void;
}

/**
 * Config, a logger on stderr (stdout carries the command's output, often JSON for a script), and
 * Ctrl-C turned into an AbortSignal so each command stops between two consistent steps.
 */
export function openOperatorContext(deps: OperatorDeps): OperatorContext {
  const config = loadConfig(deps.env ?? process.env);
  const stderr = deps.stderr ?? process.stderr;
  const verbose = ['debug', 'trace'].includes(config.LOG_LEVEL) || config.LOG_LEVEL === 'silent';
  const logger = deps.logger ?? createLogger(verbose ? config.LOG_LEVEL : 'warn', pino.destination(2));
  const closers: { name: string; close: () => Promise<unknown> }[] = [];
  const controller = new AbortController();
  let removeSignalHandler = () => {};
  if (deps.signal) {
    if (deps.signal.aborted) controller.abort();
    else deps.signal.addEventListener('abort', () => controller.abort(), { once: true });
  }
  else {
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
      stderr.write('\nvigie: interrupted; finishing the current step (Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    removeSignalHandler = () => process.off('SIGINT', onSigint);
  }
  const base: Base = { config, logger, shutdown: new Shutdown(logger) };
  return {
    base,
    stdout: deps.stdout ?? process.stdout,
    stderr,
    stdin: deps.stdin ?? process.stdin,
    signal: controller.signal,
    openDb: async () => {
      if (deps.db) return deps.db;
      const db = await openStore(base);
      closers.push({ name: 'database', close: () => db.close() });
      return db;
    },
    onClose: (name, close) => closers.push({ name, close }),
    close: async () => {
      removeSignalHandler();
      for (const { name, close } of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          logger.warn({ err, closer: name }, 'close failed');
        }
      }
    },
  };
}

/** Filter flags shared by rescore and export. */
export function addFilterOptions(command: Command): Command {
  return command
    .option('--site <id>', 'only this site')
    .option('--article <url>', 'only the comments of this article URL')
    .option('--since <date>', 'comments dated from (ISO date, or a duration ago: 24h, 7d)')
    .option('--until <date>', 'comments dated before (ISO date, or a duration ago)')
    .option('--label <label>', 'only comments whose current top label is this')
    .option('--status <status>', 'pending|scored|failed, or a current decision approve|review|reject');
}

/** Parses the filter flags and checks the site exists, with errors an operator can act on. */
export async function resolveFilter(raw: RawFilterOptions, db?: Database): Promise<CommentFilter> {
  let filter: CommentFilter;
  try {
    filter = parseCommentFilter(raw);
  } catch (err) {
    if (err instanceof InvalidFilterError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  if (db && filter.siteId !== undefined && !(await siteExists(db, filter.siteId))) {
    const known = await listSiteIds(db);
    throw new CliError(
      `unknown site "${filter.siteId}"; ${known.length > 0 ? `known sites: ${known.join(', ')}` : 'the store has no comments yet'}`,
      EXIT.usage,
    );
  }
  return filter;
}

export function outputFormatOf(file: string): 'csv' | 'jsonl' {
  return path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
}

export async function askConfirmation(ctx: OperatorContext, question: string, deps: OperatorDeps): Promise<boolean> {
  if (deps.confirm) return deps.confirm(question);
  const rl = readline.createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

interface RescoreOptions extends RawFilterOptions {
  scorer?: string;
  policy?: string;
  dryRun?: boolean;
  yes?: boolean;
  out?: string;
  json?: boolean;
  follow: boolean;
  batchSize: number;
  threads: number;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`expected a positive integer, got "${value}"`, EXIT.usage);
  return n;
}

function parseThreadCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new CliError(`--threads: expected 0 to 64, got "${value}"`, EXIT.usage);
  return n;
}

export function rescoreCommand(deps: OperatorDeps = {}): Command {
  const command = new Command('rescore').description(
    'Rescore stored comments after a model or threshold change. --dry-run scores in this process and shows which ' +
      'decisions would change, writing nothing; without it the comments are queued at batch priority for the score ' +
      'workers, which decide with THEIR configured scorers and policy (SCORERS, POLICY_FILE). Comments a moderator ' +
      'decided are never rescored. Interrupt and re-run at will: finished comments are skipped.',
  );
  addFilterOptions(command)
    .option('--scorer <names>', 'scorers for --dry-run (default SCORERS); when applying, must equal SCORERS')
    .option('--policy <file>', 'policy file for --dry-run (default POLICY_FILE); when applying, must be the workers\' policy')
    .option('--dry-run', 'score in this process and report the changes; write nothing')
    .option('-y, --yes', 'apply without asking (required when not on a terminal)')
    .option('--out <file>', 'with --dry-run: write every change to this file (.csv, else JSON lines)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--no-follow', 'apply: enqueue and return without waiting for the workers')
    .option('--batch-size <n>', 'comments per page / scoring batch', parsePositiveInt, 500)
    .option('--threads <n>', `with --dry-run: scoring threads (default ${DEFAULT_SCORING_THREADS}, one per core up to 4; 0 scores on the main thread)`, parseThreadCount, DEFAULT_SCORING_THREADS)
    .action(async (options: RescoreOptions) => {
      const ctx = openOperatorContext(deps);
      try {
        await (options.dryRun ? dryRun(ctx, options) : apply(ctx, options, deps));
      } finally {
        await ctx.close();
      }
    });
  return command;
}

async function dryRun(ctx: OperatorContext, options: RescoreOptions): Promise<void> {
  const { config, logger } = ctx.base;
  await resolveFilter(options); // bad flags fail before anything loads
  const engineConfig: Config = { ...config, POLICY_FILE: options.policy ?? config.POLICY_FILE };
  if (options.policy) {
    try {
      loadPolicy(options.policy);
    } catch (err) {
      throw new CliError(`--policy: ${(err as Error).message}`, EXIT.usage);
    }
  }
  const db = await ctx.openDb();
  const filter = await resolveFilter(options, db);
  const engine = await buildTriageEngine(engineConfig, logger, options.scorer ?? config.SCORERS);
  const pool = await openDryRunThreads(ctx, engineConfig, options, engine);
  const counts = await countSelection(db, filter, engine);
  const out = options.out ? await openOutputFile(options.out) : undefined;
  const progress = options.json && !ctx.stderr.isTTY ? undefined : createProgressReporter({ stream: ctx.stderr, label: 'dry run', total: counts.total });
  let report;
  try {
    report = await runDryRun({
      db,
      engine: pool ?? engine,
      filter,
      batchSize: options.batchSize,
      out: out && options.out ? { stream: out.stream, format: outputFormatOf(options.out) } : undefined,
      onProgress: (n) => progress?.update(n),
      signal: ctx.signal,
    });
    progress?.stop();
  } catch (err) {
    progress?.stop();
    await out?.abort();
    throw err;
  }
  // An interrupted dry run leaves no file that looks complete.
  if (report.interrupted) await out?.abort();
  else await out?.commit();
  const outFile = out && !report.interrupted ? path.resolve(options.out as string) : undefined;
  if (options.json) {
    await writeChunk(ctx.stdout, JSON.stringify({ ...report, filter: describeFilter(filter), out: outFile ?? null, scoringThreads: pool?.threads ?? 0 }) + '\n');
  } else {
    await writeChunk(ctx.stdout, formatDryRunReport(report, outFile));
  }
  if (report.interrupted) throw new CliError('dry run interrupted; the figures above are partial', EXIT_INTERRUPTED);
}

/** Threads scoring like `engine` (same scorers and policy), closed with the command; undefined: score here. */
async function openDryRunThreads(ctx: OperatorContext, config: Config, options: RescoreOptions, engine: ScoringEngine): Promise<ScoringPool | undefined> {
  const pool = await openScoringPool({
    threads: options.threads,
    scorerNames: parseScorerNames(options.scorer ?? config.SCORERS),
    policy: loadPolicy(config.POLICY_FILE),
    scorerOptions: { dataDir: path.resolve(config.DATA_DIR), toxicityModelDir: config.TOXICITY_MODEL_DIR },
  }).catch((err: Error) => {
    throw new CliError(`scoring threads: ${err.message}`, EXIT.unavailable);
  });
  if (!pool) return undefined;
  ctx.onClose('scoring threads', () => pool.close());
  if (pool.modelVersion !== engine.modelVersion || pool.policyVersion !== engine.policyVersion) {
    throw new CliError(`scoring threads loaded ${pool.modelVersion} / ${pool.policyVersion}, not ${engine.modelVersion} / ${engine.policyVersion}`, EXIT.unavailable);
  }
  return pool;
}

/**
 * Workers decide with their own SCORERS and POLICY_FILE; the CLI cannot hand them another
 * policy. So when applying, --policy and --scorer are only accepted when they name what the
 * workers run (this process reads the same configuration), and the error says how to proceed.
 */
function checkApplyMatchesWorkers(options: RescoreOptions, config: Config, workerPolicyVersion: string): void {
  if (options.policy) {
    let version: string;
    try {
      version = loadPolicy(options.policy).version;
    } catch (err) {
      throw new CliError(`--policy: ${(err as Error).message}`, EXIT.usage);
    }
    if (version !== workerPolicyVersion) {
      throw new CliError(
        `--policy ${options.policy} (version ${version}) is not the workers' policy (version ${workerPolicyVersion}, ` +
          `POLICY_FILE=${config.POLICY_FILE ?? 'models/policy.json'}). Workers score with their own policy: try it with ` +
          '--dry-run, then deploy it as POLICY_FILE on the workers, restart them, and run `vigie rescore` with that POLICY_FILE.',
        EXIT.usage,
      );
    }
  }
  if (options.scorer) {
    let asked: string[];
    try {
      asked = parseScorerNames(options.scorer);
    } catch (err) {
      throw new CliError(`--scorer: ${(err as Error).message}`, EXIT.usage);
    }
    const configured = parseScorerNames(config.SCORERS);
    if (asked.join(',') !== configured.join(',')) {
      throw new CliError(
        `--scorer ${asked.join(',')} is not what the workers run (SCORERS=${configured.join(',')}). Workers score with ` +
          'their own scorers: try others with --dry-run, then change SCORERS on the workers and restart them.',
        EXIT.usage,
      );
    }
  }
}

async function apply(ctx: OperatorContext, options: RescoreOptions, deps: OperatorDeps): Promise<void> {
  const { config, logger } = ctx.base;
  await resolveFilter(options);
  if (options.out) throw new CliError('--out writes the dry-run changes; use it with --dry-run', EXIT.usage);
  const db = await ctx.openDb();
  const filter = await resolveFilter(options, db);
  const engine = await buildTriageEngine(config, logger);
  checkApplyMatchesWorkers(options, config, engine.policyVersion);
  const target = { modelVersion: engine.modelVersion, policyVersion: engine.policyVersion };
  const counts = await countSelection(db, filter, target);
  const summary =
    `${counts.toRescore} of ${counts.total} selected comments to rescore with model ${target.modelVersion}, policy ${target.policyVersion} ` +
    `(${counts.upToDate} already up to date, ${counts.moderated} decided by moderators: excluded)`;
  if (counts.toRescore === 0) {
    const report = { mode: 'apply', ...target, selected: counts.total, moderated: counts.moderated, upToDate: counts.upToDate, enqueued: 0, finished: 0, pending: 0 };
    await writeChunk(ctx.stdout, options.json ? JSON.stringify(report) + '\n' : `Nothing to do: ${summary}.\n`);
    return;
  }
  if (!options.yes) {
    const interactive = Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY) || deps.confirm !== undefined;
    if (!interactive) {
      throw new CliError(`refusing to rescore without --yes when not on a terminal: ${summary}. Add --yes, or try --dry-run first.`, EXIT.usage);
    }
    if (!(await askConfirmation(ctx, `${summary}.\nQueue them for the workers?`, deps))) {
      throw new CliError('cancelled; nothing was queued', EXIT.failure);
    }
  }

  await requireRedis(config);
  const { queue, connection } = openScoreQueue(ctx.base);
  ctx.onClose('redis', () => closeRedisConnection(connection));
  ctx.onClose('score queue', () => queue.close());
  const workers = await queue.getWorkersCount();
  if (workers === 0) {
    ctx.stderr.write(
      options.follow
        ? 'vigie: warning: no score worker is connected; the jobs will wait until one starts (`vigie worker` or `vigie serve`)\n'
        : 'vigie: warning: no score worker is connected; the jobs will wait until one starts\n',
    );
  }
  await appendAudit(db, {
    actor: cliActor(),
    action: 'rescore',
    details: { filter: describeFilter(filter), ...target, selected: counts.total, toRescore: counts.toRescore, moderated: counts.moderated },
  });
  const progress = options.follow ? createProgressReporter({ stream: ctx.stderr, label: 'rescore', total: counts.toRescore }) : undefined;
  const openEvents = (lastEventId: string) => {
    const eventsConnection = createWorkerConnection(config.REDIS_URL);
    eventsConnection.on('error', (err) => logger.debug({ err: err.message }, 'redis events connection error'));
    const events = new QueueEvents(QUEUE_NAMES.score, { connection: eventsConnection, prefix: config.QUEUE_PREFIX, lastEventId });
    ctx.onClose('queue events', async () => {
      await events.close();
      eventsConnection.disconnect();
    });
    return events;
  };
  let report: ApplyRescoreReport;
  try {
    report = await applyRescore({
      db,
      queue,
      redis: connection,
      openEvents,
      filter,
      target,
      follow: options.follow,
      pageSize: Math.max(options.batchSize, 100),
      onProgress: (finished) => progress?.update(finished),
      signal: ctx.signal,
      logger,
    });
  } finally {
    progress?.stop();
  }
  if (options.json) await writeChunk(ctx.stdout, JSON.stringify({ ...report, filter: describeFilter(filter) }) + '\n');
  else await writeChunk(ctx.stdout, formatApplyReport(report));
  if (report.interrupted) {
    throw new CliError(
      `interrupted: ${report.pending} queued jobs stay queued and the workers will finish them; run the same command again to continue`,
      EXIT_INTERRUPTED,
    );
  }
  if ((report.outcomes.failed ?? 0) > 0) {
    throw new CliError(`${report.outcomes.failed} comments could not be scored and were sent to human review (see \`vigie status\`)`, EXIT.failure);
  }
}

export function formatApplyReport(report: ApplyRescoreReport): string {
  const lines = [
    `Rescore with model ${report.modelVersion}, policy ${report.policyVersion}${report.interrupted ? ' (INTERRUPTED)' : ''}`,
    `  ${report.selected} comments selected: ${report.upToDate} already up to date, ${report.moderated} decided by moderators (excluded, never overridden)`,
    `  queued at batch priority: ${report.enqueued} new` +
      (report.alreadyQueued ? `, ${report.alreadyQueued} still queued from an earlier run` : '') +
      (report.retriedFailed ? `, ${report.retriedFailed} failed jobs retried` : ''),
  ];
  if (report.followed) {
    const outcomes = Object.entries(report.outcomes).map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push(`  finished: ${report.finished}${outcomes ? ` (${outcomes})` : ''}${report.pending ? `, ${report.pending} still queued` : ''}`);
    const flips = Object.entries(report.flips).sort((a, b) => b[1] - a[1]);
    if (flips.length > 0) lines.push(`  decisions changed: ${flips.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    if (report.outcomes.duplicate) {
      lines.push(
        `  ${report.outcomes.duplicate} comments already had a decision by this model and policy that is no longer current ` +
          '(e.g. going back to an earlier policy): the workers keep their current decision',
      );
    }
  } else {
    lines.push(`  not followed (--no-follow): ${report.pending} jobs left to the workers; \`vigie status\` shows the queue`);
  }
  lines.push(`(${(report.durationMs / 1000).toFixed(1)} s)`);
  return lines.join('\n') + '\n';
}

