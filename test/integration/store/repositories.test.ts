import type { IncomingComment } from '../../../src/domain/comment';
import type { TriageResult } from '../../../src/domain/decision';
import { severityOf, topLabelOf } from '../../../src/domain/severity';
import { appendAudit, listAuditHistory } from '../../../src/store/audit.repository';
import {
  findStalePending,
  getComment,
  markEnqueued,
  saveComment,
} from '../../../src/store/comments.repository';
import { listDecisions, saveMachineDecision } from '../../../src/store/decisions.repository';
import { migrate } from '../../../src/store/migrate';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../helpers/databases';

const incoming = (overrides: Partial<IncomingComment> = {}): IncomingComment => ({
  siteId: 'le-monde',
  articleUrl: 'https://example.fr/article-1',
  articleTitle: 'Article 1',
  sourceId: 'c-1',
  parentSourceId: null,
  author: 'Obélix',
  text: 'Bonjour à tous',
  publishedAt: '2025-11-24T10:00:00.000Z',
  source: 'webhook',
  ...overrides,
});

const result = (overrides: Partial<TriageResult> = {}): TriageResult => ({
  language: 'fr',
  decision: 'review',
  scores: { insult: 0.8, toxicity: 0.7 },
  reasons: [{ code: 'threshold', message: 'insult ≥ 0.5', label: 'insult', score: 0.8, threshold: 0.5 }],
  spans: [{ start: 0, end: 7, label: 'insult', source: 'lexicon' }],
  modelVersion: 'lexicon@1',
  policyVersion: 'p1',
  ...overrides,
});

describe.each(DATABASE_KINDS)('store on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
  });

  it('migrations are recorded and re-running them applies nothing', async () => {
    expect(await migrate(t.db)).toEqual([]);
    const { rows } = await t.db.query<{ name: string }>('SELECT name FROM schema_migrations');
    expect(rows.map((r) => r.name)).toContain('001_init.sql');
  });

  it('stores a comment once per (site, source id) and reports an edit', async () => {
    const first = await saveComment(t.db, incoming({ sourceId: 'dup-1' }));
    expect(first.outcome).toBe('created');
    expect(first.comment.status).toBe('pending');
    const again = await saveComment(t.db, incoming({ sourceId: 'dup-1' }));
    expect(again).toMatchObject({ outcome: 'unchanged', comment: { id: first.comment.id } });
    const edited = await saveComment(t.db, incoming({ sourceId: 'dup-1', text: 'Texte corrigé' }));
    expect(edited.outcome).toBe('edited');
    expect(edited.comment.id).toBe(first.comment.id);
    expect(edited.comment.text).toBe('Texte corrigé');
    expect(edited.comment.textHash).not.toBe(first.comment.textHash);
  });

  it('matches a comment without source id by article, author and normalised text', async () => {
    const scraped = await saveComment(t.db, incoming({ sourceId: null, text: 'Même  texte ICI', source: 'page' }));
    const fromWebhook = await saveComment(t.db, incoming({ sourceId: 'wh-9', text: 'Même  texte ICI' }));
    expect(fromWebhook.comment.id).toBe(scraped.comment.id);
    expect(fromWebhook.outcome).toBe('unchanged');
    expect((await getComment(t.db, scraped.comment.id))?.sourceId).toBe('wh-9');
  });

  it('links replies to parents in either arrival order', async () => {
    const child = await saveComment(t.db, incoming({ sourceId: 'child', parentSourceId: 'parent', text: 'reply' }));
    expect(child.comment.parentId).toBeNull();
    const parent = await saveComment(t.db, incoming({ sourceId: 'parent', text: 'parent text' }));
    expect((await getComment(t.db, child.comment.id))?.parentId).toBe(parent.comment.id);
    const late = await saveComment(t.db, incoming({ sourceId: 'child2', parentSourceId: 'parent', text: 'r2' }));
    expect(late.comment.parentId).toBe(parent.comment.id);
  });

  it('saves one current machine decision, idempotently, and ignores stale jobs', async () => {
    const { comment } = await saveComment(t.db, incoming({ sourceId: 'dec-1', text: 'petit sous-développé' }));
    expect(await saveMachineDecision(t.db, { commentId: comment.id, textHash: comment.textHash, result: result() })).toMatchObject({ outcome: 'saved', decisionId: expect.any(String) });
    expect(await saveMachineDecision(t.db, { commentId: comment.id, textHash: comment.textHash, result: result() })).toMatchObject({
      outcome: 'duplicate',
      isCurrent: true,
    });
    expect(await saveMachineDecision(t.db, { commentId: comment.id, textHash: 'old-hash', result: result() })).toEqual({ outcome: 'stale' });
    const newPolicy = result({ policyVersion: 'p2', decision: 'reject' });
    expect(await saveMachineDecision(t.db, { commentId: comment.id, textHash: comment.textHash, result: newPolicy })).toMatchObject({
      outcome: 'saved',
    });
    const decisions = await listDecisions(t.db, comment.id);
    expect(decisions).toHaveLength(2);
    expect(decisions.filter((d) => d.isCurrent)).toEqual([expect.objectContaining({ policyVersion: 'p2', decision: 'reject' })]);
    expect(decisions[0].spans).toEqual([{ start: 0, end: 7, label: 'insult', source: 'lexicon' }]);
    expect((await getComment(t.db, comment.id))?.status).toBe('scored');
  });

  it('keeps one current decision when decisions for one comment are saved at once, and copies it onto the comment', async () => {
    const { comment } = await saveComment(t.db, incoming({ sourceId: 'dec-race', text: 'espèce de nul' }));
    const policies = ['r1', 'r2', 'r3', 'r4'];
    const saved = await Promise.all(
      policies.map((policyVersion, i) =>
        saveMachineDecision(t.db, {
          commentId: comment.id,
          textHash: comment.textHash,
          result: result({ policyVersion, decision: i % 2 ? 'reject' : 'review', scores: { insult: 0.5 + i / 10, threat: 0.2 }, language: 'en' }),
        }),
      ),
    );
    expect(saved.map((s) => s.outcome)).toEqual(['saved', 'saved', 'saved', 'saved']);
    const decisions = await listDecisions(t.db, comment.id);
    expect(decisions).toHaveLength(4);
    const current = decisions.filter((d) => d.isCurrent);
    expect(current).toHaveLength(1);
    const { rows } = await t.db.query<{ status: string; decision: string; decided_by: string; severity: number; top_label: string; language: string }>(
      'SELECT status, decision, decided_by, severity, top_label, language FROM comments WHERE id = $1',
      [comment.id],
    );
    expect(rows[0]).toEqual({
      status: 'scored',
      decision: current[0].decision,
      decided_by: 'machine',
      severity: severityOf(current[0].scores),
      top_label: topLabelOf(current[0].scores),
      language: 'en',
    });
  });

  it('makes an earlier machine decision current again when a rescore goes back to its policy', async () => {
    const { comment } = await saveComment(t.db, incoming({ sourceId: 'dec-rollback', text: 'bande de nuls' }));
    const save = (policyVersion: string, decision: TriageResult['decision']) =>
      saveMachineDecision(t.db, { commentId: comment.id, textHash: comment.textHash, result: result({ policyVersion, decision }) });
    const first = await save('roll-1', 'review');
    await save('roll-2', 'reject');
    const back = await save('roll-1', 'review');
    expect(back).toEqual({ outcome: 'duplicate', decisionId: first.decisionId, isCurrent: true });
    const decisions = await listDecisions(t.db, comment.id);
    expect(decisions).toHaveLength(2);
    expect(decisions.filter((d) => d.isCurrent)).toEqual([expect.objectContaining({ id: first.decisionId, policyVersion: 'roll-1' })]);
    expect((await t.db.query('SELECT decision, decided_by FROM comments WHERE id = $1', [comment.id])).rows).toEqual([{ decision: 'review', decided_by: 'machine' }]);
    // A re-delivered job of the current policy changes nothing.
    expect(await save('roll-1', 'review')).toEqual({ outcome: 'duplicate', decisionId: first.decisionId, isCurrent: true });
    expect((await listDecisions(t.db, comment.id)).filter((d) => d.isCurrent)).toHaveLength(1);
  });

  it('keeps the comment as it is (decided_at included) when a rescore confirms its verdict', async () => {
    const { comment } = await saveComment(t.db, incoming({ sourceId: 'dec-confirm', text: 'quel nul' }));
    const save = (policyVersion: string, decision: TriageResult['decision']) =>
      saveMachineDecision(t.db, { commentId: comment.id, textHash: comment.textHash, result: result({ policyVersion, decision }) });
    const decidedAt = async () =>
      (await t.db.query<{ decided_at: string }>("SELECT to_char(decided_at, 'YYYY-MM-DD HH24:MI:SS.US') AS decided_at FROM comments WHERE id = $1", [comment.id])).rows[0].decided_at;
    await save('confirm-1', 'review');
    const firstDecidedAt = await decidedAt();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await save('confirm-2', 'review')).toMatchObject({ outcome: 'saved', isCurrent: true });
    expect(await decidedAt()).toBe(firstDecidedAt);
    expect(await save('confirm-3', 'reject')).toMatchObject({ outcome: 'saved', isCurrent: true });
    expect(await decidedAt()).not.toBe(firstDecidedAt);
    expect((await t.db.query('SELECT decision FROM comments WHERE id = $1', [comment.id])).rows).toEqual([{ decision: 'reject' }]);
  });

  it('finds pending comments whose job may be lost', async () => {
    const { comment } = await saveComment(t.db, incoming({ sourceId: 'stale-1', text: 'waiting' }));
    await t.db.query(`UPDATE comments SET enqueued_at = now() - interval '10 minutes' WHERE id = $1`, [comment.id]);
    expect((await findStalePending(t.db, 60_000, 1000)).map((c) => c.id)).toContain(comment.id);
    await markEnqueued(t.db, [comment.id]);
    expect((await findStalePending(t.db, 60_000, 1000)).map((c) => c.id)).not.toContain(comment.id);
  });

  it('appends to the audit log', async () => {
    const { comment } = await saveComment(t.db, incoming({ sourceId: 'audit-1', text: 'audited' }));
    await appendAudit(t.db, { actor: 'alice', action: 'approve', commentId: comment.id, before: { d: 'review' }, after: { d: 'approve' } });
    const entries = await listAuditHistory(t.db, [comment.id]);
    expect(entries).toEqual([expect.objectContaining({ actor: 'alice', action: 'approve', after: { d: 'approve' } })]);
  });
});
