/**
 * Queries of the operators' commands (rescore, export, status, eval --from-decisions): keyset
 * pages over a filtered selection of comments, never the whole table at once.
 */
import type { Decision, Language, Reason } from '../domain/decision';
import type { LabelScores } from '../domain/labels';
import { filterConditions, type CommentFilter } from '../operations/comment-filter';
import type { Queryable } from './database';

/** The model and policy versions a rescore aims for: comments already decided by them are done. */
export interface RescoreTarget {
  modelVersion: string;
  policyVersion: string;
}

const MODERATED = `(c.decided_by IS NOT NULL AND c.decided_by <> 'machine')`;
/** The current decision (joined as d) is the target's, on the comment's current text. */
const CURRENT_IS_TARGET = `(d.actor = 'machine' AND d.text_hash = c.text_hash AND d.model_version = $1 AND d.policy_version = $2)`;
const FROM_SELECTION = `FROM comments c
     JOIN articles a ON a.id = c.article_id
     LEFT JOIN decisions d ON d.comment_id = c.id AND d.is_current`;

const toIso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export async function listSiteIds(db: Queryable, limit = 50): Promise<string[]> {
  const { rows } = await db.query<{ site_id: string }>('SELECT DISTINCT site_id FROM articles ORDER BY site_id LIMIT $1', [limit]);
  return rows.map((r) => r.site_id);
}

export async function siteExists(db: Queryable, siteId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM articles WHERE site_id = $1 LIMIT 1', [siteId]);
  return rows.length > 0;
}

export interface SelectionCounts {
  /** every comment the filter matches */
  total: number;
  /** decided by a moderator: a machine rescore never overrides them */
  moderated: number;
  /** the current decision is already the target model and policy's (finished by an earlier run) */
  upToDate: number;
  /** what is left to rescore */
  toRescore: number;
}

export async function countSelection(db: Queryable, filter: CommentFilter, target: RescoreTarget): Promise<SelectionCounts> {
  const params: unknown[] = [target.modelVersion, target.policyVersion];
  const where = filterConditions(filter, params);
  const { rows } = await db.query<{ total: number; moderated: number; up_to_date: number }>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE ${MODERATED})::int AS moderated,
            count(*) FILTER (WHERE NOT ${MODERATED} AND ${CURRENT_IS_TARGET})::int AS up_to_date
     ${FROM_SELECTION}
     WHERE ${where}`,
    params,
  );
  const { total, moderated, up_to_date: upToDate } = rows[0];
  return { total, moderated, upToDate, toRescore: total - moderated - upToDate };
}

export interface SelectedComment {
  id: string;
  siteId: string;
  articleUrl: string;
  textHash: string;
  /** only when asked for (dry-run scores it; applying does not need it) */
  text?: string;
  status: string;
  decision: Decision | null;
  decidedBy: string | null;
  topLabel: string | null;
  moderated: boolean;
  /** the current decision is already the target model and policy's, on this text */
  upToDate: boolean;
  current: { modelVersion: string; policyVersion: string; scores: LabelScores } | null;
}

export interface PageOptions {
  limit: number;
  /** keyset cursor: the id of the last comment of the previous page */
  afterId?: string;
  withText?: boolean;
}

export async function listSelectionPage(
  db: Queryable,
  filter: CommentFilter,
  target: RescoreTarget,
  page: PageOptions,
): Promise<SelectedComment[]> {
  const params: unknown[] = [target.modelVersion, target.policyVersion];
  const where = filterConditions(filter, params);
  params.push(page.afterId ?? '', page.limit);
  const { rows } = await db.query<{
    id: string;
    site_id: string;
    article_url: string;
    text_hash: string;
    text?: string;
    status: string;
    decision: Decision | null;
    decided_by: string | null;
    top_label: string | null;
    moderated: boolean;
    up_to_date: boolean;
    model_version: string | null;
    policy_version: string | null;
    scores: LabelScores | null;
  }>(
    `SELECT c.id, c.site_id, a.url AS article_url, c.text_hash, ${page.withText ? 'c.text,' : ''} c.status, c.decision,
            c.decided_by, c.top_label, ${MODERATED} AS moderated, COALESCE(${CURRENT_IS_TARGET}, false) AS up_to_date,
            d.model_version, d.policy_version, d.scores
     FROM comments c
     JOIN articles a ON a.id = c.article_id
     -- The cursor on d as well: without it the planner merge-joins current decisions from the
     -- first one on every page, so reading all pages grows quadratically with the table.
     LEFT JOIN decisions d ON d.comment_id = c.id AND d.is_current AND d.comment_id > $${params.length - 1}
     WHERE ${where} AND c.id > $${params.length - 1}
     ORDER BY c.id
     LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    siteId: r.site_id,
    articleUrl: r.article_url,
    textHash: r.text_hash,
    ...(r.text !== undefined ? { text: r.text } : {}),
    status: r.status,
    decision: r.decision,
    decidedBy: r.decided_by,
    topLabel: r.top_label,
    moderated: r.moderated,
    upToDate: r.up_to_date,
    current:
      r.model_version !== null && r.policy_version !== null
        ? { modelVersion: r.model_version, policyVersion: r.policy_version, scores: r.scores ?? {} }
        : null,
  }));
}

export interface ExportRow {
  id: string;
  siteId: string;
  articleUrl: string;
  articleTitle: string | null;
  source: string;
  sourceId: string | null;
  parentId: string | null;
  author: string | null;
  text: string;
  publishedAt: string | null;
  createdAt: string;
  status: string;
  decision: Decision | null;
  decidedBy: string | null;
  decidedAt: string | null;
  language: Language | null;
  severity: number | null;
  topLabel: string | null;
  scores: LabelScores;
  reasons: Reason[];
  modelVersion: string | null;
  policyVersion: string | null;
}

export async function listExportPage(db: Queryable, filter: CommentFilter, page: { limit: number; afterId?: string }): Promise<ExportRow[]> {
  const params: unknown[] = [];
  const where = filterConditions(filter, params);
  params.push(page.afterId ?? '', page.limit);
  const { rows } = await db.query<{
    id: string;
    site_id: string;
    url: string;
    title: string | null;
    source: string;
    source_id: string | null;
    parent_id: string | null;
    author: string | null;
    text: string;
    published_at: Date | string | null;
    created_at: Date | string;
    status: string;
    decision: Decision | null;
    decided_by: string | null;
    decided_at: Date | string | null;
    language: Language | null;
    severity: number | null;
    top_label: string | null;
    scores: LabelScores | null;
    reasons: Reason[] | null;
    model_version: string | null;
    policy_version: string | null;
  }>(
    `SELECT c.id, c.site_id, a.url, a.title, c.source, c.source_id, c.parent_id, c.author, c.text, c.published_at,
            c.created_at, c.status, c.decision, c.decided_by, c.decided_at, c.language, c.severity, c.top_label,
            d.scores, d.reasons, d.model_version, d.policy_version
     FROM comments c
     JOIN articles a ON a.id = c.article_id
     LEFT JOIN decisions d ON d.comment_id = c.id AND d.is_current
     WHERE ${where} AND c.id > $${params.length - 1}
     ORDER BY c.id
     LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    siteId: r.site_id,
    articleUrl: r.url,
    articleTitle: r.title,
    source: r.source,
    sourceId: r.source_id,
    parentId: r.parent_id,
    author: r.author,
    text: r.text,
    publishedAt: toIso(r.published_at),
    createdAt: toIso(r.created_at) as string,
    status: r.status,
    decision: r.decision,
    decidedBy: r.decided_by,
    decidedAt: toIso(r.decided_at),
    language: r.language,
    severity: r.severity === null ? null : Number(r.severity),
    topLabel: r.top_label,
    scores: r.scores ?? {},
    reasons: r.reasons ?? [],
    modelVersion: r.model_version,
    policyVersion: r.policy_version,
  }));
}

export interface DecisionHistoryEntry {
  commentId: string;
  at: string;
  actor: string;
  decision: Decision;
  modelVersion: string;
  policyVersion: string;
  isCurrent: boolean;
}

/** Every decision of the given comments, oldest first. */
export async function listDecisionHistory(db: Queryable, commentIds: string[]): Promise<DecisionHistoryEntry[]> {
  if (commentIds.length === 0) return [];
  const { rows } = await db.query<{
    comment_id: string;
    created_at: Date | string;
    actor: string;
    decision: Decision;
    model_version: string;
    policy_version: string;
    is_current: boolean;
  }>(
    `SELECT comment_id, created_at, actor, decision, model_version, policy_version, is_current
     FROM decisions WHERE comment_id = ANY($1::text[]) ORDER BY comment_id, created_at, id`,
    [commentIds],
  );
  return rows.map((r) => ({
    commentId: r.comment_id,
    at: toIso(r.created_at) as string,
    actor: r.actor,
    decision: r.decision,
    modelVersion: r.model_version,
    policyVersion: r.policy_version,
    isCurrent: r.is_current,
  }));
}


export interface ModeratedPair {
  commentId: string;
  /** the moderator's current decision */
  moderator: Decision;
  moderatorActor: string;
  /** the latest machine decision on the same text */
  machine: Decision;
  language: Language | null;
  scores: LabelScores;
  reasons: Reason[];
  modelVersion: string;
  policyVersion: string;
  decidedAt: string;
  text: string;
}

/**
 * Comments a moderator decided, each with the last machine decision on the same text: what
 * `vigie eval --from-decisions` compares. Keyset-paginated on the comment id.
 */
export async function listModeratedPairsPage(
  db: Queryable,
  options: { since?: Date; afterId?: string; limit: number },
): Promise<ModeratedPair[]> {
  const { rows } = await db.query<{
    comment_id: string;
    moderator: Decision;
    moderator_actor: string;
    decided_at: Date | string;
    machine: Decision;
    language: Language | null;
    scores: LabelScores;
    reasons: Reason[];
    model_version: string;
    policy_version: string;
    text: string;
  }>(
    `SELECT h.comment_id, h.decision AS moderator, h.actor AS moderator_actor, h.created_at AS decided_at,
            m.decision AS machine, m.language, m.scores, m.reasons, m.model_version, m.policy_version, c.text
     FROM decisions h
     JOIN comments c ON c.id = h.comment_id
     JOIN LATERAL (
       SELECT * FROM decisions x
       WHERE x.comment_id = h.comment_id AND x.actor = 'machine' AND x.text_hash = h.text_hash
         AND x.model_version NOT LIKE 'failed:%'
       ORDER BY x.created_at DESC, x.id DESC LIMIT 1
     ) m ON TRUE
     WHERE h.is_current AND h.actor <> 'machine'
       AND ($1::timestamptz IS NULL OR h.created_at >= $1::timestamptz)
       AND h.comment_id > $2
     ORDER BY h.comment_id
     LIMIT $3`,
    [options.since?.toISOString() ?? null, options.afterId ?? '', options.limit],
  );
  return rows.map((r) => ({
    commentId: r.comment_id,
    moderator: r.moderator,
    moderatorActor: r.moderator_actor,
    machine: r.machine,
    language: r.language,
    scores: r.scores ?? {},
    reasons: r.reasons ?? [],
    modelVersion: r.model_version,
    policyVersion: r.policy_version,
    decidedAt: toIso(r.decided_at) as string,
    text: r.text,
  }));
}

export interface ThroughputMinute {
  minute: string;
  decisions: number;
}

export async function decisionsPerMinute(db: Queryable, minutes: number): Promise<ThroughputMinute[]> {
  const { rows } = await db.query<{ minute: Date | string; n: number }>(
    `SELECT date_trunc('minute', created_at) AS minute, count(*)::int AS n FROM decisions
     WHERE actor = 'machine' AND created_at >= now() - ($1::int * interval '1 minute')
     GROUP BY 1 ORDER BY 1`,
    [minutes],
  );
  return rows.map((r) => ({ minute: toIso(r.minute) as string, decisions: r.n }));
}

export interface VersionInUse {
  modelVersion: string;
  policyVersion: string;
  decisions: number;
  lastAt: string;
}

/** Model and policy versions among the latest `sample` machine decisions, most recent first. */
export async function versionsInUse(db: Queryable, sample = 1_000): Promise<VersionInUse[]> {
  const { rows } = await db.query<{ model_version: string; policy_version: string; n: number; last_at: Date | string }>(
    `SELECT model_version, policy_version, count(*)::int AS n, max(created_at) AS last_at
     FROM (SELECT model_version, policy_version, created_at FROM decisions WHERE actor = 'machine'
           ORDER BY created_at DESC LIMIT $1) recent
     GROUP BY 1, 2 ORDER BY max(created_at) DESC`,
    [sample],
  );
  return rows.map((r) => ({ modelVersion: r.model_version, policyVersion: r.policy_version, decisions: r.n, lastAt: toIso(r.last_at) as string }));
}

export async function countCommentsByStatus(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM comments GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export async function countFiltered(db: Queryable, filter: CommentFilter): Promise<number> {
  const params: unknown[] = [];
  const where = filterConditions(filter, params);
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM comments c JOIN articles a ON a.id = c.article_id WHERE ${where}`,
    params,
  );
  return rows[0].n;
}
