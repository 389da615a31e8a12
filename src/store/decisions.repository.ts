import type { TriageResult } from '../domain/decision';
import { severityOf, topLabelOf } from '../domain/severity';
import type { Database, Queryable } from './database';
import { newId } from './ids';

export type SaveDecisionOutcome =
  /** New current decision. */
  | 'saved'
  /** Same text, model and policy already decided (a re-delivered job). */
  | 'duplicate'
  /** The comment's text changed since the job was queued; the newer job decides. */
  | 'stale'
  /** Recorded, but a moderator's decision stays current. */
  | 'moderated'
  | 'missing';

export interface MachineDecisionInput {
  commentId: string;
  textHash: string;
  result: TriageResult;
  /** 'failed' when scoring gave up and the comment was sent to humans (fail closed). */
  status?: 'scored' | 'failed';
}

export interface SavedDecision {
  outcome: SaveDecisionOutcome;
  /** The decision row for this text, model and policy (new or found), when there is one. */
  decisionId?: string;
  /** Whether that row is the comment's current decision (what the CMS should hear about). */
  isCurrent?: boolean;
}

export async function saveMachineDecision(db: Database, input: MachineDecisionInput): Promise<SavedDecision> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ text_hash: string; decided_by: string | null }>(
      'SELECT text_hash, decided_by FROM comments WHERE id = $1 FOR UPDATE',
      [input.commentId],
    );
    const comment = rows[0];
    if (!comment) return { outcome: 'missing' };
    if (comment.text_hash !== input.textHash) return { outcome: 'stale' };
    const { result } = input;
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO decisions (id, comment_id, text_hash, actor, decision, language, scores, reasons, spans,
         model_version, policy_version)
       VALUES ($1, $2, $3, 'machine', $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (comment_id, text_hash, model_version, policy_version) WHERE actor = 'machine' DO NOTHING
       RETURNING id`,
      [
        newId(),
        input.commentId,
        input.textHash,
        result.decision,
        result.language,
        JSON.stringify(result.scores),
        JSON.stringify(result.reasons),
        JSON.stringify(result.spans),
        result.modelVersion,
        result.policyVersion,
      ],
    );
    const decisionId = inserted.rows[0]?.id;
    if (!decisionId) {
      const existing = await tx.query<{ id: string; is_current: boolean }>(
        `SELECT id, is_current FROM decisions WHERE comment_id = $1 AND text_hash = $2 AND actor = 'machine'
           AND model_version = $3 AND policy_version = $4`,
        [input.commentId, input.textHash, result.modelVersion, result.policyVersion],
      );
      return { outcome: 'duplicate', decisionId: existing.rows[0]?.id, isCurrent: existing.rows[0]?.is_current };
    }
    if (comment.decided_by && comment.decided_by !== 'machine') return { outcome: 'moderated', decisionId, isCurrent: false };
    await makeCurrent(tx, input.commentId, decisionId);
    await tx.query(
      `UPDATE comments SET status = $2, decision = $3, decided_by = 'machine', severity = $4, top_label = $5,
         language = $6, decided_at = now(), updated_at = now()
       WHERE id = $1`,
      [
        input.commentId,
        input.status ?? 'scored',
        result.decision,
        severityOf(result.scores),
        topLabelOf(result.scores),
        result.language,
      ],
    );
    return { outcome: 'saved', decisionId, isCurrent: true };
  });
}

async function makeCurrent(tx: Queryable, commentId: string, decisionId: string): Promise<void> {
  await tx.query('UPDATE decisions SET is_current = false WHERE comment_id = $1 AND is_current', [commentId]);
  await tx.query('UPDATE decisions SET is_current = true WHERE id = $1', [decisionId]);
}

export interface StoredDecision {
  id: string;
  commentId: string;
  actor: string;
  decision: TriageResult['decision'];
  language: string | null;
  scores: TriageResult['scores'];
  reasons: TriageResult['reasons'];
  spans: TriageResult['spans'];
  modelVersion: string;
  policyVersion: string;
  isCurrent: boolean;
  createdAt: string;
}

export async function listDecisions(db: Queryable, commentId: string): Promise<StoredDecision[]> {
  const { rows } = await db.query<{
    id: string;
    comment_id: string;
    actor: string;
    decision: TriageResult['decision'];
    language: string | null;
    scores: TriageResult['scores'];
    reasons: TriageResult['reasons'];
    spans: TriageResult['spans'];
    model_version: string;
    policy_version: string;
    is_current: boolean;
    created_at: Date | string;
  }>('SELECT * FROM decisions WHERE comment_id = $1 ORDER BY created_at, id', [commentId]);
  return rows.map((r) => ({
    id: r.id,
    commentId: r.comment_id,
    actor: r.actor,
    decision: r.decision,
    language: r.language,
    scores: r.scores,
    reasons: r.reasons,
    spans: r.spans,
    modelVersion: r.model_version,
    policyVersion: r.policy_version,
    isCurrent: r.is_current,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

export async function getCurrentDecision(db: Queryable, commentId: string): Promise<StoredDecision | null> {
  return (await listDecisions(db, commentId)).find((d) => d.isCurrent) ?? null;
}
