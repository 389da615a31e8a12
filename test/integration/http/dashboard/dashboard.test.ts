import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../../helpers/databases';
import { getCurrentDecision, listDecisions } from '../../../../src/store/decisions.repository';
import { addTestUsers, csrfFrom, login, seedComment, startTestApp } from './fixtures';

describe.each(DATABASE_KINDS)('dashboard routes (%s)', (kind) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof startTestApp>>;
  const notified: string[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    await addTestUsers(t.db);
    ids.threat = await seedComment(t.db, {
      text: 'Je vais te retrouver et te faire payer.',
      scores: { toxicity: 0.8, threat: 0.92 },
      decision: 'reject',
      author: 'Menaçant',
      spans: [{ start: 0, end: 22, label: 'threat', source: 'model' }],
      sourceId: 'c-threat',
    });
    ids.xss = await seedComment(t.db, {
      text: 'Espèce de connard <script>alert(1)</script><img src=x onerror=alert(2)>',
      scores: { toxicity: 0.75, insult: 0.7 },
      spans: [{ start: 10, end: 30, label: 'insult', source: 'lexicon' }],
      author: '<b>Evil</b>',
      articleTitle: '<svg onload=alert(3)>',
      sourceId: 'c-xss',
    });
    ids.reply = await seedComment(t.db, {
      text: 'Réponse polie au commentaire menaçant.',
      scores: { toxicity: 0.1 },
      decision: 'approve',
      parentSourceId: 'c-threat',
      author: 'Sage',
    });
    ids.english = await seedComment(t.db, { text: 'You are an idiot', scores: { toxicity: 0.8, insult: 0.85 }, language: 'en', site: 'the-paper' });
    ids.other = await seedComment(t.db, { text: 'Another remark by Kotato, quite rude', scores: { toxicity: 0.55, obscene: 0.6 } });
    server = await startTestApp(t.db, { onModeratorDecision: (id) => void notified.push(id) });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await t?.drop();
  });

  describe('without a session', () => {
    it.each(['/', '/rejected', '/approved', '/all', '/audit', '/stats', '/users', '/comments/x'])('GET %s redirects a browser to /login', async (path) => {
      const res = await request(server.app).get(path).set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    });

    it.each([
      ['get', '/events'],
      ['post', '/actions'],
      ['post', '/presence/abc'],
      ['post', '/users'],
    ] as const)('%s %s answers 401', async (method, path) => {
      const res = await request(server.app)[method](path).set('Accept', 'application/json');
      expect(res.status).toBe(401);
    });
  });

  describe('roles', () => {
    it('a moderator cannot see or use user management (403), an admin can', async () => {
      const bob = await login(server.app, 'bob');
      expect((await bob.agent.get('/users')).status).toBe(403);
      expect((await bob.agent.post('/users').type('form').send({ _csrf: bob.csrf, name: 'mallory', role: 'admin' })).status).toBe(403);
      expect((await bob.agent.get('/')).text).not.toContain('href="/users"');
      const alice = await login(server.app, 'alice');
      const page = await alice.agent.get('/users');
      expect(page.status).toBe(200);
      expect(page.text).toContain('href="/users"');
      const created = await alice.agent.post('/users').type('form').send({ _csrf: alice.csrf, name: 'dave', role: 'moderator' });
      expect(created.status).toBe(201);
      const password = /<code class="secret">([^<]+)<\/code>/.exec(created.text)?.[1];
      expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
      await login(server.app, 'dave', password);
    });
  });

  describe('CSRF', () => {
    it('refuses a state-changing request without the session token, and writes nothing', async () => {
      const bob = await login(server.app, 'bob');
      const before = (await t.db.query('SELECT count(*)::int AS n FROM audit_log')).rows[0];
      const noToken = await bob.agent.post('/actions').type('form').send({ op: `approve:${ids.other}` });
      expect(noToken.status).toBe(403);
      const wrong = await bob.agent.post('/actions').set('X-CSRF-Token', 'forged').send({ op: `approve:${ids.other}` });
      expect(wrong.status).toBe(403);
      const carol = await login(server.app, 'carol');
      const othersToken = await bob.agent.post('/actions').type('form').send({ op: `approve:${ids.other}`, _csrf: carol.csrf });
      expect(othersToken.status).toBe(403);
      expect((await bob.agent.post('/logout').type('form').send({})).status).toBe(403);
      expect((await bob.agent.post('/presence/abc').send({})).status).toBe(403);
      expect((await t.db.query('SELECT count(*)::int AS n FROM audit_log')).rows[0]).toEqual(before);
      expect((await getCurrentDecision(t.db, ids.other))?.actor).toBe('machine');
    });
  });

  describe('queue views', () => {
    it('lists to-review comments most severe first, threats on top, escaped', async () => {
      const { agent } = await login(server.app, 'bob');
      const page = await agent.get('/');
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      const order = [...page.text.matchAll(/<li class="row [^"]*" data-id="([^"]+)"/g)].map((m) => m[1]);
      expect(order[0]).toBe(ids.threat);
      expect(order).toContain(ids.xss);
      expect(order).not.toContain(ids.reply);
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).not.toContain('<svg onload');
      expect(page.text).not.toContain('<b>Evil</b>');
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    it('filters by label, language, site, status and text', async () => {
      const { agent } = await login(server.app, 'bob');
      const rowIds = async (url: string) => [...(await agent.get(url)).text.matchAll(/<li class="row [^"]*" data-id="([^"]+)"/g)].map((m) => m[1]);
      expect(await rowIds('/?label=threat')).toEqual([ids.threat]);
      expect(await rowIds('/?label=insult&min=0.8')).toEqual([ids.english]);
      expect(await rowIds('/?lang=en')).toEqual([ids.english]);
      expect(await rowIds('/?site=the-paper')).toEqual([ids.english]);
      expect(await rowIds('/?q=CONNARD')).toEqual([ids.xss]);
      expect(await rowIds('/?q=%25')).toEqual([]);
      expect(await rowIds('/approved')).toEqual([ids.reply]);
      expect(await rowIds('/rejected')).toEqual([ids.threat]);
      expect((await rowIds('/all')).length).toBeGreaterThanOrEqual(5);
      expect(await rowIds('/all?status=machine&label=threat')).toEqual([ids.threat]);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      expect(await rowIds(`/all?from=${tomorrow}`)).toEqual([]);
      // Junk in the query string is ignored, not an error.
      expect((await agent.get('/?label=nope&min=abc&status=<x>')).status).toBe(200);
    });
  });

  describe('comment detail', () => {
    it('shows highlighted spans over the escaped original text, scores, versions and the thread', async () => {
      const { agent } = await login(server.app, 'bob');
      const page = await agent.get(`/comments/${ids.xss}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<mark class="hl hl-insult" title="insult (lexicon)">connard &lt;script&gt;aler</mark>');
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).toContain('test-model@1');
      expect(page.text).toContain('policy@1');
      expect(page.text).toMatch(/<meter[^>]*value="70"/);
      const threat = await agent.get(`/comments/${ids.threat}`);
      expect(threat.text).toContain('Réponse polie');
      const reply = await agent.get(`/comments/${ids.reply}`);
      expect(reply.text).toContain('Je vais te retrouver');
      expect((await agent.get('/comments/does-not-exist').set('Accept', 'text/html')).status).toBe(404);
    });

    it('shows who else has the comment open', async () => {
      const bob = await login(server.app, 'bob');
      const carol = await login(server.app, 'carol');
      await bob.agent.get(`/comments/${ids.english}`);
      const page = await carol.agent.get(`/comments/${ids.english}`);
      expect(page.text).toMatch(/Aussi ouvert par : bob|Also open by: bob/);
      const queue = await carol.agent.get('/');
      expect(queue.text).toMatch(/Ouvert par bob|Open by bob/);
    });
  });

  describe('actions', () => {
    it('approve overrides the machine decision, is audited, notifies, and undo restores it', async () => {
      const { agent, csrf } = await login(server.app, 'bob');
      const res = await agent.post('/actions').type('form').send({ _csrf: csrf, op: `approve:${ids.other}`, back: '/?lang=fr' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/?lang=fr&flash=approve%3A1');
      const current = await getCurrentDecision(t.db, ids.other);
      expect(current).toMatchObject({ actor: 'moderator:bob', decision: 'approve', modelVersion: 'test-model@1' });
      const { rows } = await t.db.query<{ decision: string; decided_by: string }>('SELECT decision, decided_by FROM comments WHERE id = $1', [ids.other]);
      expect(rows[0]).toEqual({ decision: 'approve', decided_by: 'moderator:bob' });
      const audit = await t.db.query<{ actor: string; action: string; before: { decision: string }; after: { decision: string } }>(
        `SELECT actor, action, before, after FROM audit_log WHERE comment_id = $1 ORDER BY at`,
        [ids.other],
      );
      expect(audit.rows.at(-1)).toMatchObject({ actor: 'moderator:bob', action: 'approve', before: { decision: 'review' }, after: { decision: 'approve' } });
      expect(notified).toContain(ids.other);

      const undo = await agent.post('/actions').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ op: 'undo' });
      expect(undo.body).toEqual({ action: 'undo', changed: [ids.other] });
      expect(await getCurrentDecision(t.db, ids.other)).toMatchObject({ actor: 'machine', decision: 'review' });
      expect((await listDecisions(t.db, ids.other)).length).toBe(2);
      const again = await agent.post('/actions').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send({ op: 'undo' });
      expect(again.body.changed).toEqual([]);
    });

    it('reject records the reason; escalate keeps it in the queue; bulk and undo act on the whole batch', async () => {
      const { agent, csrf } = await login(server.app, 'carol');
      const json = (body: object) => agent.post('/actions').set('X-CSRF-Token', csrf).set('Accept', 'application/json').send(body);
      expect((await json({ op: `reject:${ids.english}`, reason: 'insult' })).body.changed).toEqual([ids.english]);
      const reason = await t.db.query<{ details: { reason: string } }>(`SELECT details FROM audit_log WHERE comment_id = $1 AND action = 'reject'`, [ids.english]);
      expect(reason.rows[0].details.reason).toBe('insult');
      await json({ op: `escalate:${ids.xss}` });
      const queue = await agent.get('/?status=escalated');
      expect(queue.text).toContain(ids.xss);

      const bulk = await json({ op: 'approve', ids: [ids.xss, ids.other] });
      expect(bulk.body.changed.sort()).toEqual([ids.xss, ids.other].sort());
      expect((await getCurrentDecision(t.db, ids.xss))?.decision).toBe('approve');
      const undo = await json({ op: 'undo' });
      expect(undo.body.changed.sort()).toEqual([ids.xss, ids.other].sort());
      expect((await getCurrentDecision(t.db, ids.xss))?.reasons[0].code).toBe('moderator_escalate');
      expect((await getCurrentDecision(t.db, ids.other))?.actor).toBe('machine');
      // The next undo reaches the escalation, then the reject.
      expect((await json({ op: 'undo' })).body.changed).toEqual([ids.xss]);
      expect((await json({ op: 'undo' })).body.changed).toEqual([ids.english]);
      expect((await getCurrentDecision(t.db, ids.english))?.actor).toBe('machine');
    });

    it('"approve all shown" applies to everything matching the filter', async () => {
      const a = await seedComment(t.db, { text: 'bulk one zzfilter', site: 'bulk-site' });
      const b = await seedComment(t.db, { text: 'bulk two zzfilter', site: 'bulk-site' });
      const { agent, csrf } = await login(server.app, 'bob');
      const res = await agent.post('/actions').type('form').send({ _csrf: csrf, op: 'approve:all', view: 'review', filter: 'site=bulk-site', back: '/?site=bulk-site' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toContain('flash=approve%3A2');
      for (const id of [a, b]) expect((await getCurrentDecision(t.db, id))?.decision).toBe('approve');
      expect((await getCurrentDecision(t.db, ids.threat))?.actor).toBe('machine');
      const page = await agent.get(res.headers.location);
      expect(page.text).toMatch(/2 commentaire\(s\)|2 comment\(s\)/);
    });

    it('refuses unknown actions and empty selections', async () => {
      const { agent, csrf } = await login(server.app, 'bob');
      expect((await agent.post('/actions').set('X-CSRF-Token', csrf).send({ op: 'delete:x' })).status).toBe(400);
      expect((await agent.post('/actions').set('X-CSRF-Token', csrf).send({ op: 'approve' })).status).toBe(400);
    });

    it('does not follow an off-site "back"', async () => {
      const { agent, csrf } = await login(server.app, 'bob');
      const res = await agent.post('/actions').type('form').send({ _csrf: csrf, op: `escalate:${ids.other}`, back: '//evil.example/x' });
      expect(res.headers.location).toMatch(/^\/\?flash=/);
      await agent.post('/actions').set('X-CSRF-Token', csrf).send({ op: 'undo' });
    });
  });

  describe('audit and stats pages', () => {
    it('lists actions with filters and keyset paging', async () => {
      const { agent } = await login(server.app, 'alice');
      const page = await agent.get('/audit?action=reject');
      expect(page.status).toBe(200);
      expect(page.text).toContain('moderator:carol');
      expect(page.text).not.toMatch(/<code>approve<\/code>/);
      const byActor = await agent.get('/audit?actor=moderator%3Abob&action=approve');
      expect(byActor.text).toContain('moderator:bob');
      expect(byActor.text).not.toContain('<td>moderator:carol</td>');
    });

    it('renders the stats with inline SVG', async () => {
      const { agent } = await login(server.app, 'bob');
      const page = await agent.get('/stats');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<svg class="chart"');
      expect(page.text).toContain('<figcaption>threat');
      expect(page.text).not.toContain('style=');
    });
  });

  describe('language', () => {
    it('follows Accept-Language, and the switch (cookie) wins', async () => {
      const { agent, csrf } = await login(server.app, 'bob');
      expect((await agent.get('/').set('Accept-Language', 'en-GB,en;q=0.9')).text).toContain('To review');
      expect((await agent.get('/').set('Accept-Language', 'fr-FR')).text).toContain('À modérer');
      const res = await agent.post('/lang').type('form').send({ _csrf: csrf, lang: 'en', next: '/stats' });
      expect(res.headers.location).toBe('/stats');
      expect((await agent.get('/').set('Accept-Language', 'fr-FR')).text).toContain('To review');
    });
  });

  describe('server-sent events', () => {
    it('streams other moderators’ actions and presence', async () => {
      const listener = http.createServer(server.app).listen(0, '127.0.0.1');
      await new Promise((r) => listener.once('listening', r));
      const port = (listener.address() as AddressInfo).port;
      const carol = await login(server.app, 'carol');
      const cookie = (carol.loginResponse.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('vigie_sid='))!.split(';')[0];
      const received: string[] = [];
      const req = http.get({ host: '127.0.0.1', port, path: '/events', headers: { Cookie: cookie, Accept: 'text/event-stream' } });
      const gotAction = new Promise<void>((resolve) => {
        req.on('response', (res) => {
          expect(res.statusCode).toBe(200);
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            received.push(chunk);
            if (received.join('').includes('event: action')) resolve();
          });
        });
      });
      await new Promise((r) => setTimeout(r, 100));
      const bob = await login(server.app, 'bob');
      await bob.agent.post('/actions').set('X-CSRF-Token', bob.csrf).send({ op: `escalate:${ids.other}` });
      await gotAction;
      const text = received.join('');
      expect(text).toContain(`"actor":"bob"`);
      expect(text).toContain(ids.other);
      req.destroy();
      await bob.agent.post('/actions').set('X-CSRF-Token', bob.csrf).send({ op: 'undo' });
      await new Promise((r) => listener.close(r));
    });
  });

  it('the login page carries a CSRF token and no session', async () => {
    const res = await request(server.app).get('/login');
    expect(csrfFrom(res.text)).toBeTruthy();
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
