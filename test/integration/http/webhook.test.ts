import { gzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import request from 'supertest';
import { createApp } from '../../../src/http/app';
import { createLogger, silentLogger } from '../../../src/lib/logger';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { getComment } from '../../../src/store/comments.repository';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';
import { signedHeaders, TEST_SECRET, webhookBody } from '../../helpers/webhook';

describe('POST /api/comments (CMS webhook)', () => {
  const prefix = uniquePrefix('webhook');
  let t: TestDatabase;
  let connection: IORedis;
  let queue: Queue;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    app = createApp({ db: t.db, scoreQueue: queue, webhookSecret: TEST_SECRET, logger: silentLogger() });
  }, 60_000);

  afterAll(async () => {
    await queue.close();
    await deletePrefix(prefix);
    connection.disconnect();
    await t.drop();
  });

  const post = (body: unknown, headers?: Record<string, string>) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return request(app)
      .post('/api/comments')
      .set(headers ?? signedHeaders(raw))
      .send(raw);
  };

  it('stores a signed comment, queues it, and answers 202 pending', async () => {
    const res = await post(webhookBody({ id: 'ok-1' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
    const stored = await getComment(t.db, res.body.id);
    expect(stored).toMatchObject({ siteId: 'le-journal', sourceId: 'ok-1', source: 'webhook', author: 'Kotato' });
    const job = (await queue.getJobs(['prioritized', 'waiting'])).find((j) => j.data.commentId === res.body.id);
    expect(job?.data).toEqual({ commentId: res.body.id, textHash: stored?.textHash });
  });

  it('stores the same (site, comment id) once', async () => {
    const first = await post(webhookBody({ id: 'dup-1' }));
    const second = await post(webhookBody({ id: 'dup-1' }));
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    const jobs = (await queue.getJobs(['prioritized', 'waiting'])).filter((j) => j.data.commentId === first.body.id);
    expect(jobs).toHaveLength(1);
  });

  it('accepts a batch of comments', async () => {
    const res = await post({ comments: [webhookBody({ id: 'b-1' }), webhookBody({ id: 'b-2', parentId: 'b-1' })] });
    expect(res.status).toBe(202);
    expect(res.body.comments).toHaveLength(2);
    expect((await getComment(t.db, res.body.comments[1].id))?.parentId).toBe(res.body.comments[0].id);
  });

  it.each([
    ['a wrong secret', (raw: string) => signedHeaders(raw, 'not-the-right-secret-at-all')],
    ['a stale timestamp', (raw: string) => signedHeaders(raw, TEST_SECRET, Math.floor(Date.now() / 1000) - 301)],
    ['no signature', () => ({ 'Content-Type': 'application/json' })],
  ])('answers 401 to %s and stores nothing', async (_name, headersFor) => {
    const raw = JSON.stringify(webhookBody({ id: `unauth-${_name}` }));
    const res = await post(raw, headersFor(raw) as Record<string, string>);
    expect(res.status).toBe(401);
    const { rows } = await t.db.query('SELECT 1 FROM comments WHERE source_id = $1', [`unauth-${_name}`]);
    expect(rows).toHaveLength(0);
  });

  it('answers 400 naming the bad field', async () => {
    const body = webhookBody({ id: 'bad-1' }) as { comment: Record<string, unknown> };
    body.comment.text = '';
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', field: 'comment.text' });
    const noUrl = await post({ ...webhookBody(), article: { url: 'javascript:alert(1)' } });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.error.field).toBe('article.url');
  });

  it('answers 400 to a NUL character in any text field and stores nothing', async () => {
    type Body = { site: string; comment: Record<string, unknown> };
    for (const [field, edit] of [
      ['comment.text', (b: Body) => (b.comment.text = 'avant\u0000après')],
      ['comment.author', (b: Body) => (b.comment.author = 'K\u0000')],
      ['site', (b: Body) => (b.site = 'le-\u0000journal')],
    ] as const) {
      const body = webhookBody({ id: `nul-${field}` }) as Body;
      edit(body);
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ field, message: expect.stringMatching(/NUL character/) });
    }
    const { rows } = await t.db.query("SELECT 1 FROM comments WHERE source_id LIKE 'nul-%'");
    expect(rows).toHaveLength(0);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await post('{"site": ');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/JSON/);
  });

  it('logs one line per request with the accepted ids, never the comment text', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const logged = createApp({ db: t.db, scoreQueue: queue, webhookSecret: TEST_SECRET, logger });
    const raw = JSON.stringify(webhookBody({ id: 'log-1', text: 'Texte à ne jamais journaliser' }));
    const res = await request(logged).post('/api/comments').set(signedHeaders(raw)).send(raw);
    expect(res.status).toBe(202);
    const ofRequest = lines.filter((l) => l.reqId === res.headers['x-request-id']);
    expect(ofRequest).toEqual([expect.objectContaining({ msg: 'request', method: 'POST', path: '/api/comments', status: 202, comments: [res.body.id] })]);
    expect(JSON.stringify(lines)).not.toContain('journaliser');
  });

  it('decodes a gzip body before checking its signature', async () => {
    const raw = JSON.stringify(webhookBody({ id: 'gzip-1' }));
    const res = await withServer((url) =>
      fetch(url, { method: 'POST', headers: { ...signedHeaders(raw), 'Content-Encoding': 'gzip' }, body: gzipSync(raw) }),
    );
    expect(res.status).toBe(202);
    expect((await getComment(t.db, ((await res.json()) as { id: string }).id))?.sourceId).toBe('gzip-1');
  });

  it('answers 413 above 64 KiB', async () => {
    const res = await post(webhookBody({ id: 'big', text: 'x'.repeat(70 * 1024) }));
    expect(res.status).toBe(413);
  });

  it('answers 413 to a body that grows past 64 KiB without announcing its length', async () => {
    const raw = JSON.stringify(webhookBody({ id: 'big-chunked', text: 'x'.repeat(70 * 1024) }));
    const chunks = [raw.slice(0, 40_000), raw.slice(40_000)];
    const res = await withServer((url) =>
      fetch(url, {
        method: 'POST',
        headers: signedHeaders(raw),
        body: new ReadableStream({ pull: (c) => void (chunks.length ? c.enqueue(new TextEncoder().encode(chunks.shift())) : c.close()) }),
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    const { rows } = await t.db.query('SELECT 1 FROM comments WHERE source_id = $1', ['big-chunked']);
    expect(rows).toHaveLength(0);
  });

  /** A real socket, for bodies supertest would re-encode or send in one piece. */
  async function withServer<T>(use: (url: string) => Promise<T>): Promise<T> {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      return await use(`http://127.0.0.1:${(server.address() as { port: number }).port}/api/comments`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }
});

describe('POST /api/comments while Redis is unreachable', () => {
  let t: TestDatabase;
  let connection: IORedis;
  let queue: Queue;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    connection = new IORedis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectTimeout: 300,
    });
    connection.on('error', () => undefined);
    queue = new Queue(QUEUE_NAMES.score, { connection, prefix: uniquePrefix('down') });
    queue.on('error', () => undefined);
  }, 60_000);

  afterAll(async () => {
    connection.disconnect();
    await t.drop();
  });

  it('answers 503 quickly and keeps the comment pending for the sweeper', async () => {
    const app = createApp({ db: t.db, scoreQueue: queue, webhookSecret: TEST_SECRET, logger: silentLogger() });
    const raw = JSON.stringify(webhookBody({ id: 'down-1' }));
    const started = Date.now();
    const res = await request(app).post('/api/comments').set(signedHeaders(raw)).send(raw);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('service_unavailable');
    expect(Date.now() - started).toBeLessThan(5_000);
    const { rows } = await t.db.query<{ status: string }>('SELECT status FROM comments WHERE source_id = $1', ['down-1']);
    expect(rows).toEqual([{ status: 'pending' }]);
  });
});
