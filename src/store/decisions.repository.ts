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
  return (await saveMachineDecisions(db, [input]))[0];
}

/**
 * Saves a micro-batch of machine decisions in one transaction with a handful of statements
 * (instead of several per comment): a worker's database round trips grow with batches, not jobs.
 */
export async function saveMachineDecisions(db: Database, inputs: MachineDecisionInput[]): Promise<SavedDecision[]> {
  // The bulk statements below assume one input per comment; repeats (a live and a rescore job for
  // the same comment in one batch) are saved in a following round, in order.
  const seen = new Set<string>();
  const distinct: number[] = [];
  const repeats: number[] = [];
  inputs.forEach((input, i) => {
    if (seen.has(input.commentId)) repeats.push(i);
    else {
      seen.add(input.commentId);
      distinct.push(i);
    }
  });
  const results: SavedDecision[] = new Array(inputs.length);
  const first = await saveDistinctDecisions(
    db,
    distinct.map((i) => inputs[i]),
  );
  distinct.forEach((i, k) => (results[i] = first[k]));
  if (repeats.length > 0) {
    const later = await saveMachineDecisions(
      db,
      repeats.map((i) => inputs[i]),
    );
    repeats.forEach((i, k) => (results[i] = later[k]));
  }
  return results;
}

async function saveDistinctDecisions(db: Database, inputs: MachineDecisionInput[]): Promise<SavedDecision[]> {
  if (inputs.length === 0) return [];
  return db.transaction(async (tx) => {
    const { rows: comments } = await tx.query<{ id: string; text_hash: string; decided_by: string | null }>(
      'SELECT id, text_hash, decided_by FROM comments WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
      [inputs.map((i) => i.commentId)],
    );
    const byId = new Map(comments.map((c) => [c.id, c]));
    const results: SavedDecision[] = new Array(inputs.length);
    const candidates: { index: number; id: string }[] = [];
    inputs.forEach((input, index) => {
      const comment = byId.get(input.commentId);
      if (!comment) results[index] = { outcome: 'missing' };
      else if (comment.text_hash !== input.textHash) results[index] = { outcome: 'stale' };
      else candidates.push({ index, id: newId() });
    });
    if (candidates.length === 0) return results;

    const column = <T>(pick: (input: MachineDecisionInput) => T) => candidates.map((c) => pick(inputs[c.index]));
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO decisions (id, comment_id, text_hash, actor, decision, language, scores, reasons, spans,
         model_version, policy_version)
       SELECT u.id, u.comment_id, u.text_hash, 'machine', u.decision, u.language, u.scores::jsonb, u.reasons::jsonb,
              u.spans::jsonb, u.model_version, u.policy_version
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[])
         AS u(id, comment_id, text_hash, decision, language, scores, reasons, spans, model_version, policy_version)
       ON CONFLICT (comment_id, text_hash, model_version, policy_version) WHERE actor = 'machine' DO NOTHING
       RETURNING id`,
      [
        candidates.map((c) => c.id),
        column((i) => i.commentId),
        column((i) => i.textHash),
        column((i) => i.result.decision),
        column((i) => i.result.language),
        column((i) => JSON.stringify(i.result.scores)),
        column((i) => JSON.stringify(i.result.reasons)),
        column((i) => JSON.stringify(i.result.spans)),
        column((i) => i.result.modelVersion),
        column((i) => i.result.policyVersion),
      ],
    );
    const insertedIds = new Set(inserted.rows.map((r) => r.id));

    const duplicates = candidates.filter((c) => !insertedIds.has(c.id));
    if (duplicates.length > 0) {
      const pick = <T>(f: (input: MachineDecisionInput) => T) => duplicates.map((d) => f(inputs[d.index]));
      const { rows: existing } = await tx.query<{ id: string; comment_id: string; is_current: boolean }>(
        `SELECT d.id, d.comment_id, d.is_current FROM decisions d
         JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(comment_id, text_hash, model_version, policy_version)
           ON d.comment_id = u.comment_id AND d.text_hash = u.text_hash
          AND d.model_version = u.model_version AND d.policy_version = u.policy_version
         WHERE d.actor = 'machine'`,
        [pick((i) => i.commentId), pick((i) => i.textHash), pick((i) => i.result.modelVersion), pick((i) => i.result.policyVersion)],
      );
      const byComment = new Map(existing.map((e) => [e.comment_id, e]));
      for (const d of duplicates) {
        const found = byComment.get(inputs[d.index].commentId);
        results[d.index] = { outcome: 'duplicate', decisionId: found?.id, isCurrent: found?.is_current };
      }
    }

    const toCurrent: { index: number; id: string }[] = [];
    for (const c of candidates.filter((c) => insertedIds.has(c.id))) {
      const decidedBy = byId.get(inputs[c.index].commentId)?.decided_by;
      if (decidedBy && decidedBy !== 'machine') results[c.index] = { outcome: 'moderated', decisionId: c.id, isCurrent: false };
      else {
        toCurrent.push(c);
        results[c.index] = { outcome: 'saved', decisionId: c.id, isCurrent: true };
      }
    }
    if (toCurrent.length > 0) {
      const pick = <T>(f: (input: MachineDecisionInput) => T) => toCurrent.map((c) => f(inputs[c.index]));
      const commentIds = pick((i) => i.commentId);
      const decisionIds = toCurrent.map((c) => c.id);
      await tx.query(
        'UPDATE decisions SET is_current = false WHERE comment_id = ANY($1::text[]) AND is_current AND NOT (id = ANY($2::text[]))',
        [commentIds, decisionIds],
      );
      await tx.query('UPDATE decisions SET is_current = true WHERE id = ANY($1::text[])', [decisionIds]);
      await tx.query(
        `UPDATE comments c SET status = u.status, decision = u.decision, decided_by = 'machine', severity = u.severity,
           top_label = u.top_label, language = u.language, decided_at = now(), updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[])
           AS u(id, status, decision, severity, top_label, language)
         WHERE c.id = u.id`,
        [
          commentIds,
          pick((i) => i.status ?? 'scored'),
          pick((i) => i.result.decision),
          pick((i) => severityOf(i.result.scores)),
          pick((i) => topLabelOf(i.result.scores)),
          pick((i) => i.result.language),
        ],
      );
    }
    return results;
  });
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
