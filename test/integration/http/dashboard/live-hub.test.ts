import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { createRedisHub, type LiveEvent, type LiveHub } from '../../../../src/http/live/hub';
import { silentLogger } from '../../../../src/lib/logger';
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
