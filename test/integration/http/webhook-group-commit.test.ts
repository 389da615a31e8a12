import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import request from 'supertest';
import type { IncomingComment } from '../../../src/domain/comment';
import { createApp } from '../../../src/http/app';
import { createGroupCommit } from '../../../src/ingest/webhook/group-commit';
import { silentLogger } from '../../../src/lib/logger';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { saveComment, saveComments, type SavedComment } from '../../../src/store/comments.repository';
import { openDatabase, type Database } from '../../../src/store/database';
import { DATABASE_KINDS, openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/databases';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';
import { signedHeaders, TEST_SECRET, webhookBody } from '../../helpers/webhook';

const incoming = (overrides: Partial<IncomingComment> = {}): IncomingComment => ({
  siteId: 'le-journal',
  articleUrl: 'https://journal.example.fr/a/1',
  articleTitle: 'Article 1',
  sourceId: 'c-1',
  parentSourceId: null,
  author: 'Obélix',
  text: 'Bonjour à tous',
  publishedAt: '2025-11-24T10:00:00.000Z',
  source: 'webhook',
  ...overrides,
});

/** Records each statement, and can hold them until released or make the ones touching a text fail. */
function instrument(db: Database) {
  const statements: string[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  let poison: string | undefined;
  const query: Database['query'] = async (sql, params) => {
    statements.push(sql);
    if (gate) await gate;
    if (poison && JSON.stringify(params ?? []).includes(poison)) throw new Error('poisoned statement');
    return db.query(sql, params);
  };
  const transaction: Database['transaction'] = (work) => {
    statements.push('(transaction)');
    return db.transaction(work);
  };
  return {
    db: { ...db, query, transaction },
    statements,
    hold: () => (gate = new Promise<void>((resolve) => (release = resolve))),
    release: () => {
      gate = undefined;
      release();
    },
    failOn: (text: string | undefined) => (poison = text),
    commentInserts: () => statements.filter((s) => /INSERT INTO comments/.test(s)).length,
  };
}

/** What a comment's row says, without the ids that differ between two databases. */
async function storedState(db: Database) {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT c.source_id, c.text, c.status, a.url, a.title, p.source_id AS parent, c.parent_source_id
     FROM comments c JOIN articles a ON a.id = c.article_id LEFT JOIN comments p ON p.id = c.parent_id
     WHERE c.site_id = 'le-journal' ORDER BY c.text, c.source_id NULLS FIRST`,
  );
  return rows;
}

describe.each(DATABASE_KINDS)('saveComments on %s', (kind) => {
  let oneByOne: TestDatabase;
  let batched: TestDatabase;
  beforeAll(async () => {
    [oneByOne, batched] = await Promise.all([openTestDatabase(kind), openTestDatabase(kind)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([oneByOne?.drop(), batched?.drop()]);
  });

  it('stores a batch exactly as saving its comments one after the other would', async () => {
    const before = [
      incoming({ sourceId: 'known', text: 'Déjà là' }),
      incoming({ sourceId: null, text: 'Vu sur la page', source: 'page' }),
      incoming({ sourceId: 'orphan', parentSourceId: 'late-parent', text: 'Réponse arrivée avant son parent' }),
    ];
    const batch = [
      incoming({ sourceId: 'new-1', text: 'Premier' }),
      incoming({ sourceId: 'known', text: 'Déjà là' }),
      incoming({ sourceId: 'known-edit', text: 'Avant' }),
      incoming({ sourceId: 'known-edit', text: 'Après correction' }),
      incoming({ sourceId: 'from-cms', text: 'Vu  sur la PAGE' }),
      incoming({ sourceId: 'reply-first', parentSourceId: 'parent-later', text: 'Réponse' }),
      incoming({ sourceId: 'parent-later', text: 'Parent' }),
      incoming({ sourceId: 'reply-after', parentSourceId: 'parent-later', text: 'Autre réponse' }),
      incoming({ sourceId: 'late-parent', text: 'Parent en retard' }),
      incoming({ sourceId: 'reply-to-known', parentSourceId: 'known', text: 'Réponse au connu' }),
      incoming({ sourceId: null, text: 'Sans identifiant' }),
      incoming({ sourceId: null, text: 'sans  IDENTIFIANT' }),
      incoming({ sourceId: 'other-article', articleUrl: 'https://journal.example.fr/a/2', articleTitle: null, text: 'Ailleurs' }),
      incoming({ sourceId: 'retitled', articleUrl: 'https://journal.example.fr/a/2', articleTitle: 'Titre tardif', text: 'Titre' }),
    ];
    for (const c of before) {
      await saveComment(oneByOne.db, c);
      await saveComment(batched.db, c);
    }
    const expected: SavedComment[] = [];
    for (const c of batch) expected.push(await saveComment(oneByOne.db, c));
    const saved = await saveComments(batched.db, batch);

    expect(saved.map((s) => s.outcome)).toEqual(expected.map((s) => s.outcome));
    expect(saved.map((s) => s.comment.status)).toEqual(expected.map((s) => s.comment.status));
    expect(saved.map((s) => s.comment.textHash)).toEqual(expected.map((s) => s.comment.textHash));
    // The same comment gets the same id wherever it appears in the batch.
    expect(saved[2].comment.id).toBe(saved[3].comment.id);
    // Which parent each comment reports: one of the batch (by source id), a stored one, or none.
    const reportedParents = (list: SavedComment[]) =>
      list.map(({ comment }) =>
        comment.parentId === null ? null : (list.find((p) => p.comment.id === comment.parentId)?.comment.sourceId ?? 'stored'),
      );
    expect(reportedParents(saved)).toEqual(reportedParents(expected));
    expect(await storedState(batched.db)).toEqual(await storedState(oneByOne.db));
  });

  it('writes new comments with one read and one statement', async () => {
    const counted = instrument(batched.db);
    const batch = Array.from({ length: 40 }, (_, i) =>
      incoming({ siteId: 'other-site', sourceId: `n-${i}`, text: `Commentaire ${i}`, articleUrl: `https://journal.example.fr/a/${i % 4}` }),
    );
    const saved = await saveComments(counted.db, batch);
    expect(saved.every((s) => s.outcome === 'created')).toBe(true);
    expect(new Set(saved.map((s) => s.comment.id)).size).toBe(40);
    expect(counted.statements).toHaveLength(2);
    expect((await batched.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE site_id = 'other-site'`)).rows[0].n).toBe(40);
  });
});

describe('saveComments racing another writer (PostgreSQL)', () => {
  let t: TestDatabase;
  let second: Database;
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    const { rows } = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    second = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema: rows[0].schema, poolSize: 5 });
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await t?.drop();
  });

  it('stores each comment once when two API processes write the same new comments at once', async () => {
    for (let round = 0; round < 5; round++) {
      // New article, new comments, replies to a new parent: every kind of collision at once.
      const batch = Array.from({ length: 20 }, (_, i) =>
        incoming({
          articleUrl: `https://journal.example.fr/same/${round}`,
          sourceId: `s${round}-${i}`,
          parentSourceId: i > 0 ? `s${round}-0` : null,
          text: `Course ${round} ${i}`,
        }),
      );
      const [a, b] = await Promise.all([saveComments(t.db, batch), saveComments(second, [...batch].reverse())]);
      expect(a.map((s) => s.comment.id)).toEqual([...b].reverse().map((s) => s.comment.id));
      expect(await countUnder(`https://journal.example.fr/same/${round}`)).toEqual({ n: 20, linked: 19 });
    }
  }, 60_000);

  it('stores both writers\' comments when they open the same new article at once', async () => {
    for (let round = 0; round < 5; round++) {
      const on = (from: number) =>
        Array.from({ length: 10 }, (_, i) =>
          incoming({ articleUrl: `https://journal.example.fr/shared/${round}`, sourceId: `d${round}-${from + i}`, text: `Partagé ${from + i}` }),
        );
      const [a, b] = await Promise.all([saveComments(t.db, on(0)), saveComments(second, on(10))]);
      expect([...a, ...b].map((s) => s.outcome)).toEqual(Array(20).fill('created'));
      expect(await countUnder(`https://journal.example.fr/shared/${round}`)).toEqual({ n: 20, linked: 0 });
      const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM articles WHERE url = $1`, [
        `https://journal.example.fr/shared/${round}`,
      ]);
      expect(rows[0].n).toBe(1);
    }
  }, 60_000);

  async function countUnder(url: string) {
    const { rows } = await t.db.query<{ n: number; linked: number }>(
      `SELECT count(*)::int AS n, count(c.parent_id)::int AS linked FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.url = $1`,
      [url],
    );
    return rows[0];
  }
});

describe('group commit of concurrent webhook posts', () => {
  const prefix = uniquePrefix('group');
  let t: TestDatabase;
  let connection: IORedis;
  let queue: Queue;

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
  }, 60_000);

  afterAll(async () => {
    await queue.close();
    await deletePrefix(prefix);
    connection.disconnect();
    await t.drop();
  });

  const queuedIds = async () => (await queue.getJobs(['prioritized', 'waiting'])).map((j) => j.data.commentId as string);

  it('stores and enqueues the requests waiting together in one write and one enqueue', async () => {
    const counted = instrument(t.db);
    const addBulk = jest.spyOn(queue, 'addBulk');
    const group = createGroupCommit({ db: counted.db, scoreQueue: queue, logger: silentLogger() }, { maxGroupsInFlight: 1 });
    counted.hold();
    const first = group.accept([incoming({ sourceId: 'g-0', text: 'Premier arrivé' })]);
    await new Promise((resolve) => setImmediate(resolve));
    // These arrive while the first group is still being written: they form the next group.
    const rest = Array.from({ length: 20 }, (_, i) => group.accept([incoming({ sourceId: `g-${i + 1}`, text: `Groupé ${i}` })]));
    const inserts = counted.commentInserts();
    counted.release();
    const answers = await Promise.all([first, ...rest]);
    expect(inserts).toBe(0);
    expect(counted.commentInserts()).toBe(2);
    expect(addBulk).toHaveBeenCalledTimes(2);
    addBulk.mockRestore();
    expect(answers.map((a) => a.length)).toEqual(Array(21).fill(1));
    expect(new Set(answers.map((a) => a[0].id)).size).toBe(21);
    expect(answers.every((a) => a[0].status === 'pending')).toBe(true);
    expect(await queuedIds()).toEqual(expect.arrayContaining(answers.map((a) => a[0].id)));
  });

  it('answers concurrent posts each with its own comment, storing and queueing each once', async () => {
    const app = createApp({ db: t.db, scoreQueue: queue, webhookSecret: TEST_SECRET, logger: silentLogger() });
    const post = (body: unknown) => {
      const raw = JSON.stringify(body);
      return request(app).post('/api/comments').set(signedHeaders(raw)).send(raw);
    };
    const responses = await Promise.all([
      ...Array.from({ length: 15 }, (_, i) => post(webhookBody({ id: `c-${i}`, text: `Commentaire ${i}` }))),
      ...Array.from({ length: 4 }, () => post(webhookBody({ id: 'same', text: 'Posté quatre fois' }))),
      post({ comments: [webhookBody({ id: 'thread', text: 'Sujet' }), webhookBody({ id: 'thread-reply', parentId: 'thread', text: 'Réponse' })] }),
      post(webhookBody({ id: 'early-reply', parentId: 'c-3', text: 'Réponse à c-3' })),
    ]);
    expect(responses.map((r) => r.status)).toEqual(Array(21).fill(202));
    const sameIds = new Set(responses.slice(15, 19).map((r) => r.body.id));
    expect(sameIds.size).toBe(1);
    expect(responses[19].body.comments).toHaveLength(2);

    const { rows } = await t.db.query<{ source_id: string; id: string; parent: string | null }>(
      `SELECT c.source_id, c.id, p.source_id AS parent FROM comments c LEFT JOIN comments p ON p.id = c.parent_id
       WHERE c.source_id = ANY($1::text[])`,
      [[...Array.from({ length: 15 }, (_, i) => `c-${i}`), 'same', 'thread', 'thread-reply', 'early-reply']],
    );
    expect(rows).toHaveLength(19);
    const bySource = new Map(rows.map((r) => [r.source_id, r]));
    expect(bySource.get('thread-reply')?.parent).toBe('thread');
    expect(bySource.get('early-reply')?.parent).toBe('c-3');
    expect(bySource.get('c-7')?.id).toBe(responses[7].body.id);
    const queued = await queuedIds();
    for (const row of rows) expect(queued.filter((id) => id === row.id)).toHaveLength(1);
  });

  it('fails only the request whose comment cannot be written', async () => {
    const counted = instrument(t.db);
    const group = createGroupCommit({ db: counted.db, scoreQueue: queue, logger: silentLogger() });
    counted.failOn('poison');
    const good = Array.from({ length: 5 }, (_, i) => group.accept([incoming({ sourceId: `ok-${i}`, text: `Sain ${i}` })]));
    const bad = group.accept([incoming({ sourceId: 'bad', text: 'poison' })]);
    await expect(bad).rejects.toThrow(/poisoned/);
    const answers = await Promise.all(good);
    expect(answers.every((a) => a[0].status === 'pending')).toBe(true);
    const { rows } = await t.db.query<{ source_id: string }>(`SELECT source_id FROM comments WHERE source_id LIKE 'ok-%' OR source_id = 'bad'`);
    expect(rows.map((r) => r.source_id).sort()).toEqual(['ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4']);
    expect(await queuedIds()).toEqual(expect.arrayContaining(answers.map((a) => a[0].id)));
  });
});

describe('group commit while Redis is unreachable', () => {
  let t: TestDatabase;
  let connection: IORedis;
  let queue: Queue;

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    connection = new IORedis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectTimeout: 300,
    });
    connection.on('error', () => undefined);
    queue = new Queue(QUEUE_NAMES.score, { connection, prefix: uniquePrefix('group-down') });
    queue.on('error', () => undefined);
  }, 60_000);

  afterAll(async () => {
    connection.disconnect();
    await t.drop();
  });

  it('answers every concurrent post 503 within seconds and keeps their comments pending', async () => {
    const app = createApp({ db: t.db, scoreQueue: queue, webhookSecret: TEST_SECRET, logger: silentLogger() });
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const raw = JSON.stringify(webhookBody({ id: `down-${i}`, text: `Pendant la panne ${i}` }));
        return request(app).post('/api/comments').set(signedHeaders(raw)).send(raw);
      }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(503));
    expect(responses.every((r) => r.body.error.code === 'service_unavailable')).toBe(true);
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE source_id LIKE 'down-%' AND status = 'pending'`);
    expect(rows[0].n).toBe(12);
  });
});
