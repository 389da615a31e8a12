import type { Decision, Reason, Span } from '../domain/decision';
import type { LabelScores } from '../domain/labels';
import { appendAudit } from './audit.repository';
import type { Database, Queryable } from './database';
import { newId } from './ids';

export const QUEUE_VIEWS = ['review', 'rejected', 'approved', 'all'] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];

export const STATUS_FILTERS = ['pending', 'scored', 'failed', 'machine', 'moderated', 'escalated'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const MODERATOR_ACTIONS = ['approve', 'reject', 'escalate'] as const;
export type ModeratorAction = (typeof MODERATOR_ACTIONS)[number];

export const REJECT_REASONS = ['insult', 'threat', 'hate', 'harassment', 'obscene', 'spam', 'personal_data', 'off_topic', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * Same text as the partial indexes of migration 002: the planner only uses a partial index when
 * the query repeats its predicate.
 */
const TO_REVIEW = `(c.decision = 'review' OR (c.decision = 'reject' AND c.decided_by = 'machine'))`;
const SORT_KEY = 'coalesce(c.severity, -1)';

export interface QueueFilter {
  view: QueueView;
  /** comments.top_label, or with minScore: that label's current score ≥ minScore. */
  label?: string;
  minScore?: number;
  language?: string;
  site?: string;
  articleId?: string;
  /** ISO dates on comments.created_at, [from, to). */
  from?: string;
  to?: string;
  status?: StatusFilter;
  /** Case-insensitive substring of the text or author (ILIKE, no index: slow on rare words at scale). */
  q?: string;
}

export interface Cursor {
  sortKey: number;
  id: string;
}

export const encodeCursor = (c: Cursor): string => `${c.sortKey}_${c.id}`;

export function decodeCursor(value: unknown): Cursor | undefined {
  if (typeof value !== 'string') return undefined;
  const at = value.indexOf('_');
  if (at <= 0) return undefined;
  const sortKey = Number(value.slice(0, at));
  const id = value.slice(at + 1);
  return Number.isFinite(sortKey) && /^[A-Za-z0-9-]{1,64}$/.test(id) ? { sortKey, id } : undefined;
}

export interface ModerationItem {
  id: string;
  siteId: string;
  articleId: string;
  articleUrl: string;
  articleTitle: string | null;
  author: string | null;
  text: string;
  status: string;
  decision: Decision | null;
  decidedBy: string | null;
  severity: number | null;
  sortKey: number;
  topLabel: string | null;
  language: string | null;
  scores: LabelScores;
  createdAt: string;
  publishedAt: string | null;
  parentId: string | null;
}

interface ItemRow {
  id: string;
  site_id: string;
  article_id: string;
  url: string;
  title: string | null;
  author: string | null;
  text: string;
  status: string;
  decision: Decision | null;
  decided_by: string | null;
  severity: number | null;
  sort_key: number;
  top_label: string | null;
  language: string | null;
  scores: LabelScores | null;
  created_at: Date | string;
  published_at: Date | string | null;
  parent_id: string | null;
}

const ITEM_COLUMNS = `c.id, c.site_id, c.article_id, a.url, a.title, c.author, c.text, c.status, c.decision, c.decided_by,
  c.severity, ${SORT_KEY} AS sort_key, c.top_label, c.language, d.scores, c.created_at, c.published_at, c.parent_id`;
const ITEM_FROM = `comments c JOIN articles a ON a.id = c.article_id
  LEFT JOIN decisions d ON d.comment_id = c.id AND d.is_current`;

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

function toItem(r: ItemRow): ModerationItem {
  return {
    id: r.id,
    siteId: r.site_id,
    articleId: r.article_id,
    articleUrl: r.url,
    articleTitle: r.title,
    author: r.author,
    text: r.text,
    status: r.status,
    decision: r.decision,
    decidedBy: r.decided_by,
    severity: r.severity === null ? null : Number(r.severity),
    sortKey: Number(r.sort_key),
    topLabel: r.top_label,
    language: r.language,
    scores: r.scores ?? {},
    createdAt: iso(r.created_at) as string,
    publishedAt: iso(r.published_at),
    parentId: r.parent_id,
  };
}

/** WHERE clause and parameters for a filter; parameters are numbered from `params.length + 1`. */
export function buildFilter(filter: QueueFilter, params: unknown[]): string {
  const where: string[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.view === 'review') where.push(TO_REVIEW);
  else if (filter.view === 'rejected') where.push(`c.decision = 'reject'`);
  else if (filter.view === 'approved') where.push(`c.decision = 'approve'`);
  if (filter.label) {
    if (filter.minScore !== undefined) where.push(`(d.scores ->> ${p(filter.label)})::double precision >= ${p(filter.minScore)}`);
    else where.push(`c.top_label = ${p(filter.label)}`);
  }
  if (filter.language) where.push(`c.language = ${p(filter.language)}`);
  if (filter.site) where.push(`c.site_id = ${p(filter.site)}`);
  if (filter.articleId) where.push(`c.article_id = ${p(filter.articleId)}`);
  if (filter.from) where.push(`c.created_at >= ${p(filter.from)}::timestamptz`);
  if (filter.to) where.push(`c.created_at < ${p(filter.to)}::timestamptz`);
  switch (filter.status) {
    case 'pending':
    case 'scored':
    case 'failed':
      where.push(`c.status = ${p(filter.status)}`);
      break;
    case 'machine':
      where.push(`c.decided_by = 'machine'`);
      break;
    case 'moderated':
      where.push(`c.decided_by LIKE 'moderator:%'`);
      break;
    case 'escalated':
      where.push(`c.decided_by LIKE 'moderator:%' AND c.decision = 'review'`);
      break;
  }
  if (filter.q) {
    const pattern = p(`%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    where.push(`(c.text ILIKE ${pattern} OR c.author ILIKE ${pattern})`);
  }
  return where.length ? where.join(' AND ') : 'true';
}

export interface QueuePage {
  items: ModerationItem[];
  next: string | null;
}

/** One page of a view, most severe first; `after` is the previous page's `next`. */
export async function listModerationQueue(
  db: Queryable,
  filter: QueueFilter,
  page: { limit: number; after?: Cursor },
): Promise<QueuePage> {
  const params: unknown[] = [];
  let where = buildFilter(filter, params);
  if (page.after) {
    params.push(page.after.sortKey, page.after.id);
    where += ` AND (${SORT_KEY}, c.id) < ($${params.length - 1}::double precision, $${params.length})`;
  }
  params.push(page.limit + 1);
  const { rows } = await db.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE ${where}
     ORDER BY ${SORT_KEY} DESC, c.id DESC LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, page.limit).map(toItem);
  const last = items.at(-1);
  return { items, next: rows.length > page.limit && last ? encodeCursor({ sortKey: last.sortKey, id: last.id }) : null };
}

/** Ids matching a filter, for "apply to everything shown"; capped so one click cannot lock the table. */
export async function listMatchingIds(db: Queryable, filter: QueueFilter, limit: number): Promise<string[]> {
  const params: unknown[] = [];
  const where = buildFilter(filter, params);
  params.push(limit);
  const { rows } = await db.query<{ id: string }>(
    `SELECT c.id FROM ${ITEM_FROM} WHERE ${where} ORDER BY ${SORT_KEY} DESC, c.id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => r.id);
}

export async function getModerationItem(db: Queryable, id: string): Promise<ModerationItem | null> {
  return (await getModerationItems(db, [id]))[0] ?? null;
}

/** Several comments in one query, in no particular order; unknown ids are left out. */
export async function getModerationItems(db: Queryable, ids: string[]): Promise<ModerationItem[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE c.id = ANY($1::text[])`, [ids]);
  return rows.map(toItem);
}

export interface DecisionRecord {
  id: string;
  actor: string;
  decision: Decision;
  language: string | null;
  scores: LabelScores;
  reasons: Reason[];
  spans: Span[];
  modelVersion: string;
  policyVersion: string;
  isCurrent: boolean;
  createdAt: string;
}

export interface CommentContext {
  item: ModerationItem;
  decisions: DecisionRecord[];
  /** The current decision, else the latest machine one. */
  current: DecisionRecord | null;
  /** The latest machine decision (scores, spans and versions come from it). */
  machine: DecisionRecord | null;
  parent: ModerationItem | null;
  replies: ModerationItem[];
  authorRecent: ModerationItem[];
}

export async function getCommentContext(db: Queryable, id: string): Promise<CommentContext | null> {
  const item = await getModerationItem(db, id);
  if (!item) return null;
  const { rows } = await db.query<{
    id: string;
    actor: string;
    decision: Decision;
    language: string | null;
    scores: LabelScores;
    reasons: Reason[];
    spans: Span[];
    model_version: string;
    policy_version: string;
    is_current: boolean;
    created_at: Date | string;
  }>('SELECT * FROM decisions WHERE comment_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50', [id]);
  const decisions: DecisionRecord[] = rows.map((r) => ({
    id: r.id,
    actor: r.actor,
    decision: r.decision,
    language: r.language,
    scores: r.scores ?? {},
    reasons: r.reasons ?? [],
    spans: r.spans ?? [],
    modelVersion: r.model_version,
    policyVersion: r.policy_version,
    isCurrent: r.is_current,
    createdAt: iso(r.created_at) as string,
  }));
  const machine = decisions.find((d) => d.actor === 'machine') ?? null;
  const current = decisions.find((d) => d.isCurrent) ?? null;
  const parent = item.parentId ? await getModerationItem(db, item.parentId) : null;
  const replies = (
    await db.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE c.parent_id = $1 ORDER BY c.created_at, c.id LIMIT 50`, [id])
  ).rows.map(toItem);
  const authorRecent = item.author
    ? (
        await db.query<ItemRow>(
          `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM}
           WHERE c.site_id = $1 AND c.author = $2 AND c.id <> $3 ORDER BY c.created_at DESC LIMIT 10`,
          [item.siteId, item.author, id],
        )
      ).rows.map(toItem)
    : [];
  return { item, decisions, current, machine, parent, replies, authorRecent };
}

export interface ActionResult {
  batch: string;
  changed: string[];
}

interface DecisionState {
  decision: Decision | null;
  decidedBy: string | null;
  decisionId: string | null;
}

/**
 * A moderator's decision overrides the machine's: a new decisions row by `moderator:<name>` becomes
 * current, the comment's denormalised decision follows, and the audit log keeps before/after so
 * the action can be undone. One batch id groups a bulk action.
 */
export async function applyModeratorAction(
  db: Database,
  input: { commentIds: string[]; action: ModeratorAction; reason?: RejectReason; moderator: string },
): Promise<ActionResult> {
  const batch = newId();
  const actor = `moderator:${input.moderator}`;
  const decision: Decision = input.action === 'approve' ? 'approve' : input.action === 'reject' ? 'reject' : 'review';
  const changed: string[] = [];
  await db.transaction(async (tx) => {
    for (const commentId of [...new Set(input.commentIds)]) {
      const { rows } = await tx.query<{ text_hash: string; decision: Decision | null; decided_by: string | null }>(
        'SELECT text_hash, decision, decided_by FROM comments WHERE id = $1 FOR UPDATE',
        [commentId],
      );
      const comment = rows[0];
      if (!comment) continue;
      const prior = (
        await tx.query<{ id: string; scores: unknown; spans: unknown; language: string | null; model_version: string; policy_version: string }>(
          `SELECT id, scores, spans, language, model_version, policy_version FROM decisions
           WHERE comment_id = $1 ORDER BY is_current DESC, created_at DESC LIMIT 1`,
          [commentId],
        )
      ).rows[0];
      const current = (
        await tx.query<{ id: string }>('SELECT id FROM decisions WHERE comment_id = $1 AND is_current', [commentId])
      ).rows[0];
      const before: DecisionState = { decision: comment.decision, decidedBy: comment.decided_by, decisionId: current?.id ?? null };
      const reasons: Reason[] = [
        {
          code: `moderator_${input.action}`,
          message: input.reason ? `${input.action}: ${input.reason}` : input.action,
        },
      ];
      const decisionId = newId();
      await tx.query(
        `INSERT INTO decisions (id, comment_id, text_hash, actor, decision, language, scores, reasons, spans,
           model_version, policy_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          decisionId,
          commentId,
          comment.text_hash,
          actor,
          decision,
          prior?.language ?? null,
          JSON.stringify(prior?.scores ?? {}),
          JSON.stringify(reasons),
          JSON.stringify(prior?.spans ?? []),
          prior?.model_version ?? 'none',
          prior?.policy_version ?? 'none',
        ],
      );
      await setCurrent(tx, commentId, decisionId, decision, actor);
      await appendAudit(tx, {
        actor,
        action: input.action,
        commentId,
        before,
        after: { decision, decidedBy: actor, decisionId } satisfies DecisionState,
        details: { batch, reason: input.reason ?? null },
      });
      changed.push(commentId);
    }
  });
  return { batch, changed };
}

async function setCurrent(tx: Queryable, commentId: string, decisionId: string | null, decision: Decision | null, decidedBy: string | null) {
  await tx.query('UPDATE decisions SET is_current = false WHERE comment_id = $1 AND is_current', [commentId]);
  if (decisionId) await tx.query('UPDATE decisions SET is_current = true WHERE id = $1', [decisionId]);
  await tx.query(
    `UPDATE comments SET decision = $2, decided_by = $3, decided_at = now(), updated_at = now() WHERE id = $1`,
    [commentId, decision, decidedBy],
  );
}

/**
 * Undoes this moderator's latest action (a whole bulk batch at once). A comment someone else
 * decided since is left alone. Returns null when there is nothing to undo.
 */
export async function undoLastAction(db: Database, moderator: string): Promise<(ActionResult & { action: string; skipped: string[] }) | null> {
  const actor = `moderator:${moderator}`;
  return db.transaction(async (tx) => {
    const last = (
      await tx.query<{ batch: string; action: string }>(
        `SELECT details ->> 'batch' AS batch, action FROM audit_log a
         WHERE actor = $1 AND action = ANY($2::text[])
           AND NOT EXISTS (SELECT 1 FROM audit_log u WHERE u.actor = $1 AND u.action = 'undo'
                           AND u.details ->> 'undoes' = a.details ->> 'batch')
         ORDER BY at DESC, id DESC LIMIT 1`,
        [actor, [...MODERATOR_ACTIONS]],
      )
    ).rows[0];
    if (!last) return null;
    const entries = (
      await tx.query<{ comment_id: string; before: DecisionState; after: DecisionState }>(
        `SELECT comment_id, before, after FROM audit_log WHERE actor = $1 AND details ->> 'batch' = $2`,
        [actor, last.batch],
      )
    ).rows;
    const batch = newId();
    const changed: string[] = [];
    const skipped: string[] = [];
    for (const entry of entries) {
      const now = (
        await tx.query<{ decision: Decision | null; decided_by: string | null }>(
          'SELECT decision, decided_by FROM comments WHERE id = $1 FOR UPDATE',
          [entry.comment_id],
        )
      ).rows[0];
      const stillOurs = (
        await tx.query('SELECT 1 FROM decisions WHERE id = $1 AND is_current', [entry.after.decisionId])
      ).rows.length;
      if (!now || !stillOurs) {
        skipped.push(entry.comment_id);
        continue;
      }
      await setCurrent(tx, entry.comment_id, entry.before.decisionId, entry.before.decision, entry.before.decidedBy);
      await tx.query(
        `INSERT INTO audit_log (id, actor, action, comment_id, before, after, details) VALUES ($1, $2, 'undo', $3, $4, $5, $6)`,
        [newId(), actor, entry.comment_id, JSON.stringify(entry.after), JSON.stringify(entry.before), JSON.stringify({ batch, undoes: last.batch, undoneAction: last.action })],
      );
      changed.push(entry.comment_id);
    }
    if (changed.length === 0) {
      // Nothing restorable: still mark the batch undone so the next undo reaches the action before it.
      await tx.query(
        `INSERT INTO audit_log (id, actor, action, details) VALUES ($1, $2, 'undo', $3)`,
        [newId(), actor, JSON.stringify({ batch, undoes: last.batch, undoneAction: last.action })],
      );
    }
    return { batch, changed, skipped, action: last.action };
  });
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  commentId?: string;
  from?: string;
  to?: string;
}

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  commentId: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
}

export async function listAuditPage(
  db: Queryable,
  filter: AuditFilter,
  page: { limit: number; after?: { at: string; id: string } },
): Promise<{ rows: AuditRow[]; next: string | null }> {
  const params: unknown[] = [];
  const where: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filter.actor) where.push(`actor = ${p(filter.actor)}`);
  if (filter.action) where.push(`action = ${p(filter.action)}`);
  if (filter.commentId) where.push(`comment_id = ${p(filter.commentId)}`);
  if (filter.from) where.push(`at >= ${p(filter.from)}::timestamptz`);
  if (filter.to) where.push(`at < ${p(filter.to)}::timestamptz`);
  if (page.after) where.push(`(at, id) < (${p(page.after.at)}::timestamptz, ${p(page.after.id)})`);
  params.push(page.limit + 1);
  const { rows } = await db.query<{
    id: string;
    at: Date | string;
    actor: string;
    action: string;
    comment_id: string | null;
    before: unknown;
    after: unknown;
    details: unknown;
  }>(
    `SELECT id, at, actor, action, comment_id, before, after, details FROM audit_log
     WHERE ${where.length ? where.join(' AND ') : 'true'} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const out = rows.slice(0, page.limit).map((r) => ({
    id: r.id,
    at: iso(r.at) as string,
    actor: r.actor,
    action: r.action,
    commentId: r.comment_id,
    before: r.before,
    after: r.after,
    details: r.details,
  }));
  const last = out.at(-1);
  return { rows: out, next: rows.length > page.limit && last ? `${last.at}_${last.id}` : null };
}

export interface Facets {
  sites: string[];
  languages: string[];
  actors: string[];
}

/** Values for the filter drop-downs (small, distinct). */
export async function listFacets(db: Queryable): Promise<Facets> {
  const sites = (await db.query<{ v: string }>('SELECT DISTINCT site_id AS v FROM articles ORDER BY 1 LIMIT 200')).rows.map((r) => r.v);
  const actors = (await db.query<{ v: string }>(`SELECT 'moderator:' || name AS v FROM users ORDER BY 1`)).rows.map((r) => r.v);
  return { sites, languages: ['fr', 'en', 'other'], actors };
}

export async function getArticleTitle(db: Queryable, articleId: string): Promise<string | null> {
  const { rows } = await db.query<{ title: string | null; url: string }>('SELECT title, url FROM articles WHERE id = $1', [articleId]);
  return rows[0] ? (rows[0].title ?? rows[0].url) : null;
}

export interface Stats {
  perHour: { hour: string; decision: string; n: number }[];
  histograms: Record<string, number[]>;
  queueDepth: { toReview: number; pending: number; escalated: number };
  throughput: { actor: string; day: string; n: number }[];
  agreement: { label: string; n: number; agree: number }[];
}

export async function loadStats(db: Queryable, labels: readonly string[]): Promise<Stats> {
  const perHour = (
    await db.query<{ hour: string; decision: string; n: number }>(
      `SELECT to_char(date_trunc('hour', decided_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24":00:00.000Z"') AS hour,
              decision, count(*)::int AS n FROM comments
       WHERE decided_at >= now() - interval '48 hours' AND decision IS NOT NULL GROUP BY 1, 2 ORDER BY 1`,
    )
  ).rows;
  const histograms: Record<string, number[]> = {};
  // Histograms over the latest 20,000 machine decisions keep the page fast on a large store.
  const hist = (
    await db.query<{ label: string; bucket: number; n: number }>(
      `WITH recent AS (SELECT scores FROM decisions WHERE actor = 'machine' ORDER BY created_at DESC LIMIT 20000)
       SELECT l.label, least(floor((r.scores ->> l.label)::double precision * 10), 9)::int AS bucket, count(*)::int AS n
       FROM recent r CROSS JOIN unnest($1::text[]) AS l(label)
       WHERE r.scores ? l.label GROUP BY 1, 2`,
      [[...labels]],
    )
  ).rows;
  for (const label of labels) histograms[label] = new Array(10).fill(0);
  for (const r of hist) if (histograms[r.label]) histograms[r.label][r.bucket] = r.n;
  const depth = (
    await db.query<{ to_review: number; pending: number; escalated: number }>(
      `SELECT count(*) FILTER (WHERE ${TO_REVIEW})::int AS to_review,
              count(*) FILTER (WHERE c.status = 'pending')::int AS pending,
              count(*) FILTER (WHERE c.decision = 'review' AND c.decided_by LIKE 'moderator:%')::int AS escalated
       FROM comments c`,
    )
  ).rows[0];
  const throughput = (
    await db.query<{ actor: string; day: Date | string; n: number }>(
      `SELECT actor, date_trunc('day', at) AS day, count(*)::int AS n FROM audit_log
       WHERE at >= now() - interval '7 days' AND action = ANY($1::text[]) GROUP BY 1, 2 ORDER BY 2, 1`,
      [[...MODERATOR_ACTIONS]],
    )
  ).rows.map((r) => ({ actor: r.actor, day: (iso(r.day) as string).slice(0, 10), n: r.n }));
  const agreement = (
    await db.query<{ label: string; n: number; agree: number }>(
      `SELECT coalesce(c.top_label, 'none') AS label, count(*)::int AS n,
              count(*) FILTER (WHERE m.decision = c.decision)::int AS agree
       FROM comments c
       JOIN LATERAL (SELECT decision FROM decisions WHERE comment_id = c.id AND actor = 'machine'
                     ORDER BY created_at DESC LIMIT 1) m ON true
       WHERE c.decided_by LIKE 'moderator:%' AND c.decision <> 'review'
       GROUP BY 1 ORDER BY 2 DESC`,
    )
  ).rows;
  return {
    perHour,
    histograms,
    queueDepth: { toReview: depth.to_review, pending: depth.pending, escalated: depth.escalated },
    throughput,
    agreement,
  };
}
