import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { verifySignature } from '../../../src/ingest/webhook/signature';
import { getComment } from '../../../src/store/comments.repository';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { startPipeline, waitForDecision } from '../../helpers/pipeline';
import { signedHeaders, TEST_SECRET, webhookBody } from '../../helpers/webhook';

/** A CMS that fails its first answer, then accepts; it records what it was sent. */
function startFakeCms() {
  const received: { body: Record<string, unknown>; signatureOk: boolean }[] = [];
  let failuresLeft = 1;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (failuresLeft-- > 0) {
        res.writeHead(503).end();
        return;
      }
      received.push({
        body: JSON.parse(raw.toString('utf8')),
        signatureOk: verifySignature(TEST_SECRET, req.headers['x-vigie-signature'] as string, raw).ok,
      });
      res.writeHead(204).end();
    });
  });
  return new Promise<{ url: string; received: typeof received; close(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/vigie-callback`, received, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

describe('decisions posted back to the CMS', () => {
  let t: TestDatabase;
  let cms: Awaited<ReturnType<typeof startFakeCms>>;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    cms = await startFakeCms();
    pipeline = await startPipeline(t.db, { callbackUrl: cms.url });
  }, 60_000);

  afterAll(async () => {
    await pipeline?.stop();
    await cms?.close();
    await t?.drop();
  });

  it('posts each decision once, signed, retrying after a CMS error, and not again on re-delivery', async () => {
    const raw = JSON.stringify(webhookBody({ id: 'notify-1', text: 'bande de charlots' }));
    const res = await request(pipeline.app).post('/api/comments').set(signedHeaders(raw)).send(raw);
    const decision = await waitForDecision(t.db, res.body.id);
    const deadline = Date.now() + 15_000;
    while (cms.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(cms.received).toHaveLength(1);
    expect(cms.received[0].signatureOk).toBe(true);
    expect(cms.received[0].body).toMatchObject({
      site: 'le-journal',
      comment: { id: 'notify-1', vigieId: res.body.id },
      decision: decision.decision,
      decidedBy: 'machine',
      policyVersion: decision.policyVersion,
    });

    const comment = await getComment(t.db, res.body.id);
    const again = await pipeline.scoreQueue.add('score', { commentId: comment!.id, textHash: comment!.textHash }, { jobId: 'again' });
    while (!(await again.isCompleted())) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 500));
    expect(cms.received).toHaveLength(1);
  }, 30_000);
});
