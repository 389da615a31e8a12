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
    // Locking the comments serialises every machine decision of a comment: what the duplicate
    // check below reads cannot change before the insert.
    const { rows: comments } = await tx.query<{ id: string; text_hash: string; decided_by: string | null }>(
      'SELECT id, text_hash, decided_by FROM comments WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
      [inputs.map((i) => i.commentId)],
    );
    const byId = new Map(comments.map((c) => [c.id, c]));
    const results: SavedDecision[] = new Array(inputs.length);
    const candidates: number[] = [];
    inputs.forEach((input, index) => {
      const comment = byId.get(input.commentId);
      if (!comment) results[index] = { outcome: 'missing' };
      else if (comment.text_hash !== input.textHash) results[index] = { outcome: 'stale' };
      else candidates.push(index);
    });
    if (candidates.length === 0) return results;

    const duplicates = await findMachineDecisions(tx, candidates.map((index) => inputs[index]));
    const toInsert: { index: number; id: string; current: boolean }[] = [];
    for (const index of candidates) {
      const found = duplicates.get(inputs[index].commentId);
      if (found) {
        results[index] = { outcome: 'duplicate', decisionId: found.id, isCurrent: found.is_current };
        continue;
      }
      const decidedBy = byId.get(inputs[index].commentId)?.decided_by;
      const row = { index, id: newId(), current: !decidedBy || decidedBy === 'machine' };
      toInsert.push(row);
      results[index] = row.current
        ? { outcome: 'saved', decisionId: row.id, isCurrent: true }
        : { outcome: 'moderated', decisionId: row.id, isCurrent: false };
    }
    if (toInsert.length === 0) return results;

    const toCurrent = toInsert.filter((row) => row.current);
    const pickCurrent = <T>(f: (input: MachineDecisionInput) => T) => toCurrent.map((row) => f(inputs[row.index]));
    // The previous current decision steps down before the new one is inserted as current, so each
    // row is written once (inserting, then flagging it current, would write every row twice).
    if (toCurrent.length > 0) {
      await tx.query('UPDATE decisions SET is_current = false WHERE comment_id = ANY($1::text[]) AND is_current', [pickCurrent((i) => i.commentId)]);
    }
    const column = <T>(f: (input: MachineDecisionInput) => T) => toInsert.map((row) => f(inputs[row.index]));
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO decisions (id, comment_id, text_hash, actor, decision, language, scores, reasons, spans,
         model_version, policy_version, is_current)
       SELECT u.id, u.comment_id, u.text_hash, 'machine', u.decision, u.language, u.scores::jsonb, u.reasons::jsonb,
              u.spans::jsonb, u.model_version, u.policy_version, u.is_current
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::boolean[])
         AS u(id, comment_id, text_hash, decision, language, scores, reasons, spans, model_version, policy_version, is_current)
       ON CONFLICT (comment_id, text_hash, model_version, policy_version) WHERE actor = 'machine' DO NOTHING
       RETURNING id`,
      [
        toInsert.map((row) => row.id),
        column((i) => i.commentId),
        column((i) => i.textHash),
        column((i) => i.result.decision),
        column((i) => i.result.language),
        column((i) => JSON.stringify(i.result.scores)),
        column((i) => JSON.stringify(i.result.reasons)),
        column((i) => JSON.stringify(i.result.spans)),
        column((i) => i.result.modelVersion),
        column((i) => i.result.policyVersion),
        toInsert.map((row) => row.current),
      ],
    );
    if (inserted.rows.length !== toInsert.length) {
      // Only a writer that skipped the comment lock could get here; roll back rather than leave a
      // comment without a current decision. The job is retried.
      throw new Error(`machine decisions changed during the save (${toInsert.length - inserted.rows.length} conflicts)`);
    }
    if (toCurrent.length > 0) {
      await tx.query(
        `UPDATE comments c SET status = u.status, decision = u.decision, decided_by = 'machine', severity = u.severity,
           top_label = u.top_label, language = u.language, decided_at = now(), updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[])
           AS u(id, status, decision, severity, top_label, language)
         WHERE c.id = u.id`,
        [
          pickCurrent((i) => i.commentId),
          pickCurrent((i) => i.status ?? 'scored'),
          pickCurrent((i) => i.result.decision),
          pickCurrent((i) => severityOf(i.result.scores)),
          pickCurrent((i) => topLabelOf(i.result.scores)),
          pickCurrent((i) => i.result.language),
        ],
      );
    }
    return results;
  });
}

/** The machine decisions already made for these texts by the same model and policy, by comment. */
async function findMachineDecisions(
  tx: Queryable,
  inputs: MachineDecisionInput[],
): Promise<Map<string, { id: string; is_current: boolean }>> {
  // By comment id only, so the plan is an index scan whatever the table statistics say; the
  // few machine decisions per comment are matched here.
  const { rows } = await tx.query<{ id: string; comment_id: string; text_hash: string; model_version: string; policy_version: string; is_current: boolean }>(
    `SELECT id, comment_id, text_hash, model_version, policy_version, is_current FROM decisions
     WHERE comment_id = ANY($1::text[]) AND actor = 'machine'`,
    [inputs.map((i) => i.commentId)],
  );
  const key = (commentId: string, textHash: string, modelVersion: string, policyVersion: string) =>
    `${commentId}\n${textHash}\n${modelVersion}\n${policyVersion}`;
  const wanted = new Set(inputs.map((i) => key(i.commentId, i.textHash, i.result.modelVersion, i.result.policyVersion)));
  const found = new Map<string, { id: string; is_current: boolean }>();
  for (const row of rows) {
    if (wanted.has(key(row.comment_id, row.text_hash, row.model_version, row.policy_version))) found.set(row.comment_id, row);
  }
  return found;
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
