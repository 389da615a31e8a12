import type { Queryable } from '../store/database';

/** What the CMS receives for each decision; documented in the README, keep it stable. */
export interface DecisionNotification {
  site: string;
  article: { url: string };
  comment: { id: string | null; vigieId: string };
  decision: 'approve' | 'review' | 'reject';
  decidedBy: string;
  reasons: unknown[];
  scores: Record<string, number>;
  modelVersion: string;
  policyVersion: string;
  decidedAt: string;
}

export async function loadDecisionNotification(db: Queryable, decisionId: string): Promise<{
  notification: DecisionNotification;
  notifiedAt: string | null;
  isCurrent: boolean;
} | null> {
  const { rows } = await db.query<{
    site_id: string;
    url: string;
    source_id: string | null;
    comment_id: string;
    decision: DecisionNotification['decision'];
    actor: string;
    reasons: unknown[];
    scores: Record<string, number>;
    model_version: string;
    policy_version: string;
    created_at: Date | string;
    notified_at: Date | string | null;
    is_current: boolean;
  }>(
    `SELECT c.site_id, a.url, c.source_id, d.comment_id, d.decision, d.actor, d.reasons, d.scores,
            d.model_version, d.policy_version, d.created_at, d.notified_at, d.is_current
     FROM decisions d JOIN comments c ON c.id = d.comment_id JOIN articles a ON a.id = c.article_id
     WHERE d.id = $1`,
    [decisionId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    notifiedAt: row.notified_at === null ? null : new Date(row.notified_at).toISOString(),
    isCurrent: row.is_current,
    notification: {
      site: row.site_id,
      article: { url: row.url },
      comment: { id: row.source_id, vigieId: row.comment_id },
      decision: row.decision,
      decidedBy: row.actor,
      reasons: row.reasons,
      scores: row.scores,
      modelVersion: row.model_version,
      policyVersion: row.policy_version,
      decidedAt: new Date(row.created_at).toISOString(),
    },
  };
}

export async function markNotified(db: Queryable, decisionId: string): Promise<void> {
  await db.query('UPDATE decisions SET notified_at = now() WHERE id = $1 AND notified_at IS NULL', [decisionId]);
}
