import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { createRedisHub, type LiveEvent, type LiveHub } from '../../../../src/http/live/hub';
import { silentLogger } from '../../../../src/lib/logger';
import type { Database } from '../../../../src/store/database';
import { QUEUE_NAMES } from '../../../../src/queue/names';
import { openTestDatabase, type TestDatabase } from '../../../helpers/databases';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../../helpers/redis';
import { addTestUsers, cookieValue, login, seedComment, startTestApp } from './fixtures';

const next = (hub: LiveHub, type: LiveEvent['type']) =>
  new Promise<LiveEvent>((resolve) => {
    const off = hub.subscribe((event) => {
      if (event.type === type) {
        off();
        resolve(event);
      }
    });
  });

describe('live hub over Redis (two API processes, a remote score worker)', () => {
  const prefix = uniquePrefix('live');
  let t: TestDatabase;
  let a: LiveHub;
  let b: LiveHub;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    a = await createRedisHub({ redisUrl: TEST_REDIS_URL, queuePrefix: prefix, db: t.db, logger: silentLogger() });
    b = await createRedisHub({ redisUrl: TEST_REDIS_URL, queuePrefix: prefix, db: t.db, logger: silentLogger() });
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await deletePrefix(prefix);
    await t?.drop();
  });

  it('broadcasts a moderator action to the other process', async () => {
    const received = next(b, 'action');
    a.publish({ type: 'action', action: 'approve', actor: 'bob', ids: ['x'] });
    expect(await received).toEqual({ type: 'action', action: 'approve', actor: 'bob', ids: ['x'] });
  });

  it('shares presence with a short TTL', async () => {
    await a.presence.beat('c1', 'bob');
    expect(await b.presence.beat('c1', 'carol')).toEqual(['bob', 'carol']);
    expect(await b.presence.namesFor(['c1', 'c2'])).toEqual({ c1: ['bob', 'carol'] });
    expect(await a.presence.leave('c1', 'bob')).toEqual(['carol']);
  });

  it('announces a comment a score worker flagged, in every process', async () => {
    const id = await seedComment(t.db, { text: 'Un commentaire signalé <b>gras</b>', scores: { insult: 0.9 } });
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    const worker = new Worker(QUEUE_NAMES.score, async () => ({ outcome: 'saved', decision: 'review' }), { connection, prefix });
    const inA = next(a, 'flagged');
    const inB = next(b, 'flagged');
    await queue.add('score', { commentId: id, textHash: 'a'.repeat(64) }, { jobId: `live-${id}-${'a'.repeat(16)}` });
    const [ea, eb] = await Promise.all([inA, inB]);
    expect(ea).toEqual(eb);
    expect(ea).toMatchObject({ type: 'flagged', comment: { id, decision: 'review', text: 'Un commentaire signalé <b>gras</b>' } });
    await worker.close();
    await queue.close();
    await connection.quit();
  });

  it('announces every comment a burst of completions flagged, and looks nothing up while no dashboard listens', async () => {
    const lookups: string[][] = [];
    const counted: Database = {
      ...t.db,
      query: (sql, params) => {
        if (sql.includes('FROM comments c JOIN articles')) lookups.push(params?.[0] as string[]);
        return t.db.query(sql, params);
      },
    };
    const hub = await createRedisHub({ redisUrl: TEST_REDIS_URL, queuePrefix: prefix, db: counted, logger: silentLogger() });
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    const worker = new Worker(QUEUE_NAMES.score, async () => ({ outcome: 'saved', decision: 'reject' }), { connection, prefix, concurrency: 10 });
    let completed = await queue.getCompletedCount();
    const addFlagged = async (ids: string[]) => {
      const jobs = ids.map((id) => ({ name: 'score', data: { commentId: id, textHash: 'b'.repeat(64) }, opts: { jobId: `live-${id}-${'b'.repeat(16)}` } }));
      await queue.addBulk(jobs);
      completed += ids.length;
      while ((await queue.getCompletedCount()) < completed) await new Promise((r) => setTimeout(r, 20));
    };
    try {
      const unwatched = await seedComment(t.db, { text: 'Personne ne regarde', scores: { insult: 0.9 } });
      await addFlagged([unwatched]);
      await new Promise((r) => setTimeout(r, 300));
      expect(lookups).toEqual([]);

      const burst = await Promise.all([1, 2, 3, 4, 5].map((n) => seedComment(t.db, { text: `Insulte numéro ${n}`, scores: { insult: 0.9 } })));
      const seen = new Set<string>();
      const allSeen = new Promise<void>((resolve) => {
        hub.subscribe((event) => {
          if (event.type === 'flagged' && burst.includes(event.comment.id)) seen.add(event.comment.id);
          if (seen.size === burst.length) resolve();
        });
      });
      await addFlagged(burst);
      await allSeen;
      expect([...seen].sort()).toEqual([...burst].sort());
      expect(lookups.flat().sort()).toEqual([...burst].sort());
    } finally {
      await worker.close();
      await queue.close();
      await connection.quit();
      await hub.close();
    }
  });

  it('closing the hub ends open event streams, so the HTTP server can stop', async () => {
    const hub = await createRedisHub({ redisUrl: TEST_REDIS_URL, queuePrefix: prefix, db: t.db, logger: silentLogger() });
    const server = await startTestApp(t.db, { live: hub });
    await addTestUsers(t.db);
    const listener = http.createServer(server.app).listen(0, '127.0.0.1');
    await new Promise((r) => listener.once('listening', r));
    const { loginResponse } = await login(server.app, 'bob');
    const ended = new Promise<void>((resolve) => {
      const headers = { Cookie: `vigie_sid=${cookieValue(loginResponse, 'vigie_sid')}` };
      http.get({ host: '127.0.0.1', port: (listener.address() as AddressInfo).port, path: '/events', headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
    });
    await new Promise((r) => setTimeout(r, 200));
    const closed = new Promise((r) => listener.close(r));
    await hub.close();
    await ended;
    await closed;
    await server.stop();
  });
});
