import type { Queue } from 'bullmq';
import type { Queryable } from '../store/database';
import { countCommentsByStatus, decisionsPerMinute, versionsInUse, type VersionInUse } from '../store/rescore.repository';
import { redactUrl } from '../lib/redact-url';

export const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed', 'waiting-children'] as const;

export interface Health {
  ok: boolean;
  latencyMs?: number;
  error?: string;
}

export interface QueueStatus {
  counts: Record<string, number>;
  paused: boolean;
  workers: number;
  /** address and connection age of each connected worker */
  workerDetails: { addr?: string; name?: string; ageSeconds?: number }[];
}

export interface StatusReport {
  /** Redis, the database and every queue answered. */
  ok: boolean;
  /** What needs an operator although everything answered: jobs waiting that no worker will take. */
  warnings: string[];
  checkedAt: string;
  redis: Health & { url: string };
  database: Health & { kind: string; comments?: Record<string, number> };
  queues: Record<string, QueueStatus | { error: string }>;
  throughput?: {
    windowMinutes: number;
    /** machine decisions per minute, oldest first, the current (partial) minute last */
    perMinute: { minute: string; decisions: number }[];
    averagePerMinute: number;
  };
  versions?: VersionInUse[];
}

export { redactUrl };

async function timed<T>(work: () => Promise<T>): Promise<{ value?: T; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    const value = await work();
    return { value, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
  }
}

async function queueStatus(queue: Queue): Promise<QueueStatus> {
  const [counts, workers, paused] = await Promise.all([queue.getJobCounts(...JOB_STATES), queue.getWorkers(), queue.isPaused()]);
  return {
    counts,
    paused,
    workers: workers.length,
    workerDetails: workers.map((w) => ({ addr: w.addr, name: w.name, ageSeconds: w.age === undefined ? undefined : Number(w.age) })),
  };
}

export interface GatherStatusOptions {
  redisUrl: string;
  pingRedis: () => Promise<void>;
  /** undefined when the database could not be opened */
  db?: Queryable;
  databaseKind: string;
  databaseError?: string;
  /** called only once Redis answered, so nothing connects to a Redis that is down */
  openQueues: () => Record<string, Queue>;
  windowMinutes?: number;
  now?: Date;
}

/** Every probe runs even when another fails: a status command is most useful when something is down. */
export async function gatherStatus(options: GatherStatusOptions): Promise<StatusReport> {
  const windowMinutes = options.windowMinutes ?? 15;
  const now = options.now ?? new Date();
  const redisProbe = await timed(options.pingRedis);
  const redis: StatusReport['redis'] = { ok: !redisProbe.error, url: redactUrl(options.redisUrl), latencyMs: redisProbe.latencyMs };
  if (redisProbe.error) redis.error = redisProbe.error.split(options.redisUrl).join(redis.url);

  const report: StatusReport = {
    ok: false,
    warnings: [],
    checkedAt: now.toISOString(),
    redis,
    database: { ok: false, kind: options.databaseKind },
    queues: {},
  };
  if (redis.ok) {
    for (const [name, queue] of Object.entries(options.openQueues())) {
      const probe = await timed(() => queueStatus(queue));
      report.queues[name] = probe.value ?? { error: probe.error ?? 'unknown error' };
    }
  }
  if (options.db) {
    const db = options.db;
    const probe = await timed(() => db.query('SELECT 1'));
    report.database = { ok: !probe.error, kind: options.databaseKind, latencyMs: probe.latencyMs };
    if (probe.error) report.database.error = probe.error;
    else {
      report.database.comments = await countCommentsByStatus(db);
      const perMinute = await decisionsPerMinute(db, windowMinutes);
      report.throughput = { windowMinutes, perMinute: fillMinutes(perMinute, windowMinutes, now), averagePerMinute: 0 };
      const total = report.throughput.perMinute.reduce((sum, m) => sum + m.decisions, 0);
      report.throughput.averagePerMinute = Math.round((total / windowMinutes) * 10) / 10;
      report.versions = await versionsInUse(db);
    }
  } else {
    report.database.error = options.databaseError ?? 'not opened';
  }
  report.ok = report.redis.ok && report.database.ok && Object.values(report.queues).every((q) => !('error' in q));
  report.warnings = queueWarnings(report.queues);
  return report;
}

function queueWarnings(queues: StatusReport['queues']): string[] {
  const warnings: string[] = [];
  for (const [name, queue] of Object.entries(queues)) {
    if ('error' in queue) continue;
    const backlog = (queue.counts.waiting ?? 0) + (queue.counts.prioritized ?? 0) + (queue.counts.delayed ?? 0);
    if (queue.paused) warnings.push(`the ${name} queue is paused: no job is taken until it is resumed`);
    else if (backlog > 0 && queue.workers === 0) {
      warnings.push(`${backlog} ${name} job${backlog === 1 ? '' : 's'} waiting and no ${name} worker connected (start \`vigie serve\` or \`vigie worker\`)`);
    }
  }
  return warnings;
}

function fillMinutes(rows: { minute: string; decisions: number }[], windowMinutes: number, now: Date) {
  const byMinute = new Map(rows.map((r) => [r.minute, r.decisions]));
  const current = Math.floor(now.getTime() / 60_000) * 60_000;
  const out: { minute: string; decisions: number }[] = [];
  for (let i = windowMinutes - 1; i >= 0; i--) {
    const minute = new Date(current - i * 60_000).toISOString();
    out.push({ minute, decisions: byMinute.get(minute) ?? 0 });
  }
  return out;
}

const SPARK = '▁▂▃▄▅▆▇█';

export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'DOWN');
  lines.push(`Vigie status at ${report.checkedAt}: ${!report.ok ? 'PROBLEMS' : report.warnings.length ? 'NEEDS ATTENTION' : 'healthy'}`);
  for (const warning of report.warnings) lines.push(`  warning   ${warning}`);
  lines.push(
    `  redis     ${mark(report.redis.ok)} ${report.redis.url}` +
      (report.redis.ok ? ` (${report.redis.latencyMs} ms)` : ` — ${report.redis.error}`),
  );
  lines.push(
    `  database  ${mark(report.database.ok)} ${report.database.kind}` +
      (report.database.ok ? ` (${report.database.latencyMs} ms)` : ` — ${report.database.error}`),
  );
  if (report.database.comments) {
    lines.push(`  comments  ${Object.entries(report.database.comments).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`);
  }
  lines.push('', 'Queues');
  for (const [name, queue] of Object.entries(report.queues)) {
    if ('error' in queue) {
      lines.push(`  ${name.padEnd(8)} error: ${queue.error}`);
      continue;
    }
    const counts = JOB_STATES.filter((s) => s !== 'waiting-children' || queue.counts[s]).map((s) => `${s} ${queue.counts[s] ?? 0}`).join(', ');
    lines.push(`  ${name.padEnd(8)} ${counts}${queue.paused ? '  (PAUSED)' : ''}`);
    lines.push(`  ${''.padEnd(8)} workers connected: ${queue.workers}${queue.workerDetails.length ? ` (${queue.workerDetails.map((w) => w.addr ?? '?').join(', ')})` : ''}`);
  }
  if (!report.redis.ok) lines.push('  (not available: Redis is down)');
  if (report.throughput) {
    const values = report.throughput.perMinute.map((m) => m.decisions);
    const max = Math.max(1, ...values);
    const spark = values.map((v) => SPARK[Math.min(SPARK.length - 1, Math.floor((v / max) * (SPARK.length - 1)))]).join('');
    lines.push(
      '',
      `Throughput (machine decisions/min, last ${report.throughput.windowMinutes} min): ${spark}  ` +
        `avg ${report.throughput.averagePerMinute}/min, last full minute ${values[values.length - 2] ?? 0}`,
    );
  }
  if (report.versions) {
    lines.push('', 'Model and policy versions (latest machine decisions)');
    if (report.versions.length === 0) lines.push('  none yet');
    for (const v of report.versions) lines.push(`  ${v.modelVersion}  policy ${v.policyVersion}  ${v.decisions} decisions, last ${v.lastAt}`);
  }
  return lines.join('\n') + '\n';
}
