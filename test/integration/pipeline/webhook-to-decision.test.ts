import request from 'supertest';
import { getComment } from '../../../src/store/comments.repository';
import { listDecisions } from '../../../src/store/decisions.repository';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { startPipeline, waitForDecision } from '../../helpers/pipeline';
import { signedHeaders, webhookBody } from '../../helpers/webhook';
import type { TriageEngine } from '../../../workers/score.worker';
import { addTestUsers, login } from '../http/dashboard/fixtures';

describe('signed webhook → store → queue → worker → decision', () => {
  let t: TestDatabase;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    pipeline = await startPipeline(t.db);
    await addTestUsers(t.db);
  }, 60_000);

  afterAll(async () => {
    await pipeline?.stop();
    await t?.drop();
  });

  const post = (body: unknown) => {
    const raw = JSON.stringify(body);
    return request(pipeline.app).post('/api/comments').set(signedHeaders(raw)).send(raw);
  };

  it('flags an insult for review with its span, and lists it on the dashboard', async () => {
    const text = 'A ton avis, petit sous-développé, pendant ce temps ?';
    const res = await post(webhookBody({ id: 'e2e-insult', text }));
    expect(res.status).toBe(202);
    const decision = await waitForDecision(t.db, res.body.id);
    expect(['review', 'reject']).toContain(decision.decision);
    expect(decision.actor).toBe('machine');
    expect(decision.modelVersion).toBe(pipeline.engine.modelVersion);
    expect(decision.policyVersion).toBe(pipeline.engine.policyVersion);
    const flagged = decision.spans.map((s) => text.slice(s.start, s.end).toLowerCase());
    expect(flagged.some((s) => s.includes('sous-développé'))).toBe(true);

    expect((await request(pipeline.app).get('/')).status).toBe(303);
    const { agent } = await login(pipeline.app, 'bob');
    const page = await agent.get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('petit sous-développé');
  });

  it('approves a neutral comment and keeps it off the review page', async () => {
    const res = await post(webhookBody({ id: 'e2e-neutral', text: 'Ce qui se passe au Mali est dramatique.' }));
    expect((await waitForDecision(t.db, res.body.id)).decision).toBe('approve');
    const { agent } = await login(pipeline.app, 'bob');
    expect((await agent.get('/')).text).not.toContain('Mali est dramatique');
  });

  it('escapes hostile comment text on the dashboard', async () => {
    const text = 'Espèce de connard. <script>alert("x")</script><img src=x onerror=alert(1)>';
    const res = await post(webhookBody({ id: 'e2e-xss', text }));
    await waitForDecision(t.db, res.body.id);
    const { agent } = await login(pipeline.app, 'bob');
    const page = await agent.get('/');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page.text).not.toContain('<script>alert');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('a re-delivered job makes no second decision', async () => {
    const res = await post(webhookBody({ id: 'e2e-redeliver', text: 'bande de charlots' }));
    await waitForDecision(t.db, res.body.id);
    const comment = await getComment(t.db, res.body.id);
    const job = await pipeline.scoreQueue.add('score', { commentId: res.body.id, textHash: comment!.textHash }, { jobId: 'manual-redelivery' });
    const deadline = Date.now() + 10_000;
    while (!(await job.isCompleted()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const finished = await pipeline.scoreQueue.getJob('manual-redelivery');
    expect(finished?.returnvalue).toEqual({ outcome: 'duplicate', decision: expect.any(String) });
    expect(await listDecisions(t.db, res.body.id)).toHaveLength(1);
  });
});

describe('a comment that cannot be scored', () => {
  let t: TestDatabase;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  const broken: TriageEngine = {
    modelVersion: 'broken@1',
    policyVersion: 'p-test',
    scoreTexts: async () => {
      throw new Error('model exploded');
    },
  };

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    pipeline = await startPipeline(t.db, { engine: broken });
  }, 60_000);

  afterAll(async () => {
    await pipeline?.stop();
    await t?.drop();
  });

  it('goes to human review after the last attempt (fail closed)', async () => {
    const raw = JSON.stringify(webhookBody({ id: 'fail-1', text: 'Bonjour' }));
    const res = await request(pipeline.app).post('/api/comments').set(signedHeaders(raw)).send(raw);
    const comment = await getComment(t.db, res.body.id);
    // The live job retries with backoff for ~15 s; a twin job with short backoff shows the last-attempt path.
    await pipeline.scoreQueue.add(
      'score',
      { commentId: comment!.id, textHash: comment!.textHash },
      { jobId: 'fast-fail', attempts: 2, backoff: { type: 'fixed', delay: 10 } },
    );
    const decision = await waitForDecision(t.db, comment!.id, 15_000);
    expect(decision.decision).toBe('review');
    expect(decision.reasons[0]).toMatchObject({ code: 'scoring_failed' });
    expect((await getComment(t.db, comment!.id))?.status).toBe('failed');
  });
});
