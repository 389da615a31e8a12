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

export async function listAudit(
  db: Queryable,
  options: { commentId?: string; limit?: number } = {},
): Promise<(AuditEntry & { at: string })[]> {
  const { rows } = await db.query<{
    at: Date | string;
    actor: string;
    action: string;
    comment_id: string | null;
    before: unknown;
    after: unknown;
    details: unknown;
  }>(
    `SELECT at, actor, action, comment_id, before, after, details FROM audit_log
     WHERE ($1::text IS NULL OR comment_id = $1) ORDER BY at DESC, id LIMIT $2`,
    [options.commentId ?? null, options.limit ?? 100],
  );
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    commentId: r.comment_id,
    before: r.before,
    after: r.after,
    details: r.details,
  }));
}
