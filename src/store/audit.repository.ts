import type { Queryable } from './database';
import { newId } from './ids';

export interface AuditEntry {
  actor: string;
  action: string;
  commentId?: string | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (id, actor, action, comment_id, before, after, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      newId(),
      entry.actor,
      entry.action,
      entry.commentId ?? null,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.details === undefined ? null : JSON.stringify(entry.details),
    ],
  );
}

export interface AuditHistoryEntry {
  commentId: string;
  at: string;
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
  details: unknown;
}

/** Audit log entries (moderator actions) of the given comments, oldest first. */
export async function listAuditHistory(db: Queryable, commentIds: string[]): Promise<AuditHistoryEntry[]> {
  if (commentIds.length === 0) return [];
  const { rows } = await db.query<{
    comment_id: string;
    at: Date | string;
    actor: string;
    action: string;
    before: unknown;
    after: unknown;
    details: unknown;
  }>(
    `SELECT comment_id, at, actor, action, before, after, details
     FROM audit_log WHERE comment_id = ANY($1::text[]) ORDER BY comment_id, at, id`,
    [commentIds],
  );
  return rows.map((r) => ({
    commentId: r.comment_id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    before: r.before,
    after: r.after,
    details: r.details,
  }));
}
