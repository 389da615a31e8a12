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
 * Saves a micro-batch of machine decisions in one transaction of two statements (lock the
 * comments; then find duplicates, step down, insert and update the comments in one statement):
 * a worker's database round trips grow with batches, not jobs.
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
  // Locking the comments serialises every machine decision of a comment: what the write below
  // reads (a statement of its own, so it sees whatever committed before the lock was granted)
  // cannot change before its insert. PGlite has one backend and runs one transaction at a time,
  // so there the lock would only cost a tuple write and a WAL record per comment.
  const lock = db.kind === 'pglite' ? '' : ' FOR UPDATE';
  return db.transaction(async (tx) => {
    const { rows: comments } = await tx.query<{ id: string; text_hash: string; decided_by: string | null }>(
      `SELECT id, text_hash, decided_by FROM comments WHERE id = ANY($1::text[]) ORDER BY id${lock}`,
      [inputs.map((i) => i.commentId)],
    );
    const byId = new Map(comments.map((c) => [c.id, c]));
    const results: SavedDecision[] = new Array(inputs.length);
    const candidates: { index: number; id: string; current: boolean }[] = [];
    inputs.forEach((input, index) => {
      const comment = byId.get(input.commentId);
      if (!comment) results[index] = { outcome: 'missing' };
      else if (comment.text_hash !== input.textHash) results[index] = { outcome: 'stale' };
      else candidates.push({ index, id: newId(), current: !comment.decided_by || comment.decided_by === 'machine' });
    });
    if (candidates.length === 0) return results;

    // One statement for the rest. A machine decision already made for the same text, model and
    // policy (a re-delivered job) is returned as it is — and made current again if a later machine
    // decision replaced it (a rescore going back to an earlier policy). For the others, the
    // previous current decision steps down and the new one is inserted (current unless a
    // moderator decided). The comment takes over the current decision's verdict; it is left
    // untouched when nothing it shows changes, so a rescore that confirms a verdict keeps its
    // decided_at (the hourly statistics count decisions, not confirmations). The insert and the
    // revival wait for the step-down (their InitPlans read every row of `stepped`), so the
    // one-current-decision index never sees two current rows.
    const column = <T>(f: (input: MachineDecisionInput, row: (typeof candidates)[number]) => T) =>
      candidates.map((row) => f(inputs[row.index], row));
    const { rows } = await tx.query<{ kind: 'found' | 'inserted'; id: string; comment_id: string; is_current: boolean }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                              $9::text[], $10::text[], $11::boolean[], $12::text[], $13::float8[], $14::text[])
           AS u(id, comment_id, text_hash, decision, language, scores, reasons, spans, model_version, policy_version,
                is_current, status, severity, top_label)
       ),
       found AS (
         SELECT d.id, d.comment_id, d.is_current, i.is_current AS may_be_current
         FROM decisions d
         JOIN input i ON i.comment_id = d.comment_id AND i.text_hash = d.text_hash
           AND i.model_version = d.model_version AND i.policy_version = d.policy_version
         WHERE d.comment_id = ANY($2::text[]) AND d.actor = 'machine'
       ),
       revived AS (
         SELECT id, comment_id FROM found WHERE NOT is_current AND may_be_current
       ),
       fresh AS (
         SELECT i.* FROM input i WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.comment_id = i.comment_id)
       ),
       becoming_current AS (
         SELECT i.* FROM input i
         WHERE i.is_current AND (i.comment_id IN (SELECT comment_id FROM fresh) OR i.comment_id IN (SELECT comment_id FROM revived))
       ),
       stepped AS (
         UPDATE decisions d SET is_current = false
         WHERE d.is_current AND d.comment_id IN (SELECT comment_id FROM becoming_current)
         RETURNING d.id
       ),
       inserted AS (
         INSERT INTO decisions (id, comment_id, text_hash, actor, decision, language, scores, reasons, spans,
           model_version, policy_version, is_current)
         SELECT f.id, f.comment_id, f.text_hash, 'machine', f.decision, f.language, f.scores::jsonb, f.reasons::jsonb,
                f.spans::jsonb, f.model_version, f.policy_version, f.is_current
         FROM fresh f
         WHERE (SELECT count(*) FROM stepped) >= 0
         ON CONFLICT (comment_id, text_hash, model_version, policy_version) WHERE actor = 'machine' DO NOTHING
         RETURNING id, comment_id, is_current
       ),
       -- restored and updated are not read below: PostgreSQL runs them to completion all the same.
       restored AS (
         UPDATE decisions d SET is_current = true
         FROM revived r
         WHERE d.id = r.id AND (SELECT count(*) FROM stepped) >= 0
         RETURNING d.id
       ),
       updated AS (
         UPDATE comments c SET status = f.status, decision = f.decision, decided_by = 'machine', severity = f.severity,
           top_label = f.top_label, language = f.language, decided_at = now(), updated_at = now()
         FROM becoming_current f
         WHERE c.id = f.comment_id
           AND (c.status, c.decision, c.decided_by, c.severity, c.top_label, c.language)
               IS DISTINCT FROM (f.status, f.decision, 'machine', f.severity, f.top_label, f.language)
         RETURNING c.id
       )
       SELECT 'found' AS kind, id, comment_id, is_current OR may_be_current AS is_current FROM found
       UNION ALL
       SELECT 'inserted', id, comment_id, is_current FROM inserted`,
      [
        column((_, row) => row.id),
        column((i) => i.commentId),
        column((i) => i.textHash),
        column((i) => i.result.decision),
        column((i) => i.result.language),
        column((i) => JSON.stringify(i.result.scores)),
        column((i) => JSON.stringify(i.result.reasons)),
        column((i) => JSON.stringify(i.result.spans)),
        column((i) => i.result.modelVersion),
        column((i) => i.result.policyVersion),
        column((_, row) => row.current),
        column((i) => i.status ?? 'scored'),
        column((i) => severityOf(i.result.scores)),
        column((i) => topLabelOf(i.result.scores)),
      ],
    );
    const found = new Map<string, { id: string; is_current: boolean }>();
    const inserted = new Set<string>();
    for (const row of rows) {
      if (row.kind === 'found') found.set(row.comment_id, row);
      else if (row.kind === 'inserted') inserted.add(row.comment_id);
    }
    let conflicts = 0;
    for (const row of candidates) {
      const commentId = inputs[row.index].commentId;
      const duplicate = found.get(commentId);
      if (duplicate) results[row.index] = { outcome: 'duplicate', decisionId: duplicate.id, isCurrent: duplicate.is_current };
      else if (!inserted.has(commentId)) conflicts++;
      else
        results[row.index] = row.current
          ? { outcome: 'saved', decisionId: row.id, isCurrent: true }
          : { outcome: 'moderated', decisionId: row.id, isCurrent: false };
    }
    if (conflicts > 0) {
      // Only a writer that skipped the comment lock could get here; roll back rather than leave a
      // comment without a current decision. The job is retried.
      throw new Error(`machine decisions changed during the save (${conflicts} conflicts)`);
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
