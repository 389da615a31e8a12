import { COMMENT_STATUSES } from '../domain/comment';
import { DECISIONS } from '../domain/decision';
import { LABELS, isLabel, type Label } from '../domain/labels';

/** Which comments an operator command (rescore, export) works on. Every field narrows the set. */
export interface CommentFilter {
  siteId?: string;
  articleUrl?: string;
  /** inclusive, on the comment's date (published_at, else when Vigie stored it) */
  since?: Date;
  /** exclusive */
  until?: Date;
  /** the top label of the current decision */
  label?: Label;
  /** a processing status (pending, scored, failed) or a current decision (approve, review, reject) */
  status?: string;
}

/** The flags as commander hands them over. */
export interface RawFilterOptions {
  site?: string;
  article?: string;
  since?: string;
  until?: string;
  label?: string;
  status?: string;
}

export class InvalidFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFilterError';
  }
}

export const STATUS_CHOICES: readonly string[] = [...COMMENT_STATUSES, ...DECISIONS];

const RELATIVE = /^(\d+)\s*(m|min|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * "2026-11-01", "2026-11-01T08:00:00Z", or a duration ago ("30m", "24h", "7d", "2w"). A bare
 * date is midnight UTC, so the same command selects the same comments on any machine.
 */
export function parseDateOption(flag: string, value: string, now = new Date()): Date {
  const trimmed = value.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2].toLowerCase()]);
  if (ISO_DATE.test(trimmed)) {
    const [year, month, day] = trimmed.slice(0, 10).split('-').map(Number);
    const calendar = new Date(Date.UTC(year, month - 1, day));
    const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
    // Date silently rolls impossible days over (2026-02-31 → March 3); an operator typo must not.
    const realDay = calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
    if (realDay && !Number.isNaN(date.getTime())) return date;
  }
  throw new InvalidFilterError(
    `invalid ${flag} "${value}": expected an ISO date (2026-11-01, 2026-11-01T08:00:00Z) or a duration ago (30m, 24h, 7d, 2w)`,
  );
}

export function parseCommentFilter(raw: RawFilterOptions, now = new Date()): CommentFilter {
  const filter: CommentFilter = {};
  if (raw.site !== undefined) {
    if (raw.site.trim() === '') throw new InvalidFilterError('--site must not be empty');
    filter.siteId = raw.site.trim();
  }
  if (raw.article !== undefined) {
    if (!/^https?:\/\/\S+$/i.test(raw.article.trim())) throw new InvalidFilterError(`invalid --article "${raw.article}": expected an http(s) URL`);
    filter.articleUrl = raw.article.trim();
  }
  if (raw.since !== undefined) filter.since = parseDateOption('--since', raw.since, now);
  if (raw.until !== undefined) filter.until = parseDateOption('--until', raw.until, now);
  if (filter.since && filter.until && filter.since >= filter.until) {
    throw new InvalidFilterError(`--since (${filter.since.toISOString()}) must be before --until (${filter.until.toISOString()})`);
  }
  if (raw.label !== undefined) {
    if (!isLabel(raw.label)) throw new InvalidFilterError(`unknown --label "${raw.label}"; choose from ${LABELS.join(', ')}`);
    filter.label = raw.label;
  }
  if (raw.status !== undefined) {
    if (!STATUS_CHOICES.includes(raw.status)) throw new InvalidFilterError(`unknown --status "${raw.status}"; choose from ${STATUS_CHOICES.join(', ')}`);
    filter.status = raw.status;
  }
  return filter;
}

/**
 * SQL conditions on `comments c JOIN articles a`, appending values to `params` ($n numbering
 * continues after what the caller already put there). Always returns at least "TRUE".
 */
export function filterConditions(filter: CommentFilter, params: unknown[]): string {
  const conditions = ['TRUE'];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  if (filter.siteId !== undefined) add((n) => `c.site_id = ${n}`, filter.siteId);
  if (filter.articleUrl !== undefined) add((n) => `a.url = ${n}`, filter.articleUrl);
  if (filter.since) add((n) => `COALESCE(c.published_at, c.created_at) >= ${n}::timestamptz`, filter.since.toISOString());
  if (filter.until) add((n) => `COALESCE(c.published_at, c.created_at) < ${n}::timestamptz`, filter.until.toISOString());
  if (filter.label !== undefined) add((n) => `c.top_label = ${n}`, filter.label);
  if (filter.status !== undefined) {
    const column = (COMMENT_STATUSES as readonly string[]).includes(filter.status) ? 'c.status' : 'c.decision';
    add((n) => `${column} = ${n}`, filter.status);
  }
  return conditions.join(' AND ');
}

/** For reports and the audit log: the filter as the operator would type it. */
export function describeFilter(filter: CommentFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (filter.siteId !== undefined) out.site = filter.siteId;
  if (filter.articleUrl !== undefined) out.article = filter.articleUrl;
  if (filter.since) out.since = filter.since.toISOString();
  if (filter.until) out.until = filter.until.toISOString();
  if (filter.label) out.label = filter.label;
  if (filter.status) out.status = filter.status;
  return out;
}
