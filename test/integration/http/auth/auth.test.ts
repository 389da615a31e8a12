import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { addUser, issueApiToken } from '../../../../src/cli/users.command';
import { ensureInitialAdmin } from '../../../../src/auth/initial-admin';
import { silentLogger } from '../../../../src/lib/logger';
import { disableUser } from '../../../../src/store/users.repository';
import { openTestDatabase, type TestDatabase } from '../../../helpers/databases';
import { addTestUsers, cookieValue, csrfFrom, login, PASSWORDS, seedComment, startTestApp } from '../dashboard/fixtures';

describe('accounts, sessions and the bearer API', () => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    server = await startTestApp(t.db, { loginLimits: { perUser: 3, perIp: 100 }, sseKeepAliveMs: 100 });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await t?.drop();
  });

  it('creates the initial admin once, with a generated password that logs in', async () => {
    const first = await ensureInitialAdmin(t.db, silentLogger());
    expect(first?.name).toBe('admin');
    expect(first?.password).toHaveLength(20);
    expect(await ensureInitialAdmin(t.db, silentLogger())).toBeNull();
    const { rows } = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE name = $1', ['admin']);
    expect(rows[0].password_hash).toMatch(/^scrypt\$/);
    expect(rows[0].password_hash).not.toContain(first!.password);
    await login(server.app, 'admin', first!.password);
    await addTestUsers(t.db);
  });

  it('rotates the session id at login and sets a strict cookie', async () => {
    const agent = request.agent(server.app);
    const form = await agent.get('/login');
    expect(form.status).toBe(200);
    const pre = cookieValue(form, 'vigie_pre');
    expect(pre).toBeTruthy();
    const first = await agent.post('/login').type('form').send({ _csrf: csrfFrom(form.text), name: 'bob', password: PASSWORDS.bob, next: '/stats' });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/stats');
    const cookie = (first.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('vigie_sid='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const sid1 = cookieValue(first, 'vigie_sid')!;
    // The stored id is a hash: the cookie value is not in the database.
    expect((await t.db.query('SELECT 1 FROM sessions WHERE id_hash = $1', [sid1])).rows).toHaveLength(0);

    // Logging in again (e.g. a planted cookie) replaces the session; the old id is dead.
    const again = await agent.get('/login?next=/');
    expect(again.status).toBe(303);
    const page = await agent.get('/');
    const second = await request(server.app)
      .post('/login')
      .set('Cookie', `vigie_sid=${sid1}; vigie_pre=x`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'bob', password: PASSWORDS.bob });
    expect(second.status).toBe(303);
    const sid2 = cookieValue(second, 'vigie_sid')!;
    expect(sid2).not.toBe(sid1);
    expect((await request(server.app).get('/').set('Cookie', `vigie_sid=${sid1}`).set('Accept', 'text/html')).status).toBe(303);
    expect((await request(server.app).get('/').set('Cookie', `vigie_sid=${sid2}`)).status).toBe(200);
  });

  it('marks the cookie Secure behind HTTPS', async () => {
    const form = await request(server.app).get('/login').set('X-Forwarded-Proto', 'https');
    const pre = cookieValue(form, 'vigie_pre')!;
    const res = await request(server.app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', `vigie_pre=${pre}`)
      .type('form')
      .send({ _csrf: pre, name: 'carol', password: PASSWORDS.carol });
    expect((res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('vigie_sid='))).toMatch(/Secure/);
  });

  it('refuses a login without the form token, and wrong passwords, without saying which part was wrong', async () => {
    expect((await request(server.app).post('/login').type('form').send({ name: 'bob', password: PASSWORDS.bob })).status).toBe(403);
    const agent = request.agent(server.app);
    const form = await agent.get('/login');
    const wrong = await agent.post('/login').type('form').send({ _csrf: csrfFrom(form.text), name: 'bob', password: 'nope-nope-nope' });
    const unknown = await agent.post('/login').type('form').send({ _csrf: csrfFrom(form.text), name: 'nobody', password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(cookieValue(wrong, 'vigie_sid')).toBeUndefined();
    const message = (s: string) => /<p class="error"[^>]*>([^<]+)</.exec(s)?.[1];
    expect(message(wrong.text)).toBe(message(unknown.text));
  });

  it('does not redirect off-site after login', async () => {
    const agent = request.agent(server.app);
    const form = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(form.text), name: 'carol', password: PASSWORDS.carol, next: '//evil.example/' });
    expect(res.headers.location).toBe('/');
  });

  it('rate-limits login attempts per IP and user name', async () => {
    const agent = request.agent(server.app);
    const form = await agent.get('/login');
    const attempt = (password: string, name = 'alice') => agent.post('/login').type('form').send({ _csrf: csrfFrom(form.text), name, password });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const blocked = await attempt(PASSWORDS.alice);
    expect(blocked.status).toBe(429);
    expect(cookieValue(blocked, 'vigie_sid')).toBeUndefined();
    // Another account from the same IP is not locked out by alice's attacker.
    expect((await attempt(PASSWORDS.carol, 'carol')).status).toBe(303);
  });

  it('logout ends the session', async () => {
    const { agent, csrf } = await login(server.app, 'carol');
    const res = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect((await agent.get('/').set('Accept', 'text/html')).status).toBe(303);
  });

  it('a disabled account loses its sessions and cannot log in', async () => {
    await addUser(t.db, { name: 'erin', role: 'moderator', password: 'erin-password-1' });
    const { agent } = await login(server.app, 'erin', 'erin-password-1');
    await disableUser(t.db, 'erin');
    expect((await agent.get('/').set('Accept', 'text/html')).status).toBe(303);
    await expect(login(server.app, 'erin', 'erin-password-1')).rejects.toThrow(/401/);
  });

  it('GET /api/comments/:id needs a valid bearer token and returns the decision', async () => {
    const id = await seedComment(t.db, { text: 'Espèce de crétin', scores: { toxicity: 0.8, insult: 0.77 } });
    const token = await issueApiToken(t.db, 'cms');
    expect(token).toMatch(/^vgt_/);
    expect((await request(server.app).get(`/api/comments/${id}`)).status).toBe(401);
    expect((await request(server.app).get(`/api/comments/${id}`).set('Authorization', 'Bearer vgt_notarealtokenatallxxxxxxxxxxx')).status).toBe(401);
    // A browser session is not an API credential.
    const { agent } = await login(server.app, 'bob');
    expect((await agent.get(`/api/comments/${id}`)).status).toBe(401);
    const res = await request(server.app).get(`/api/comments/${id}`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      status: 'scored',
      decision: 'review',
      decidedBy: 'machine',
      scores: { toxicity: 0.8, insult: 0.77 },
      reasons: [{ code: 'threshold' }],
      modelVersion: 'test-model@1',
    });
    expect((await request(server.app).get('/api/comments/nope').set('Authorization', `Bearer ${token}`)).status).toBe(404);
    const stored = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(stored.rows.map((r) => r.token_hash)).not.toContain(token);
  });

  it('the webhook POST still answers by HMAC, not by session', async () => {
    const res = await request(server.app).post('/api/comments').set('Content-Type', 'application/json').send('{}');
    expect(res.status).toBe(401);
  });

  it('ends the live stream once the session is gone', async () => {
    const listener = http.createServer(server.app).listen(0, '127.0.0.1');
    await new Promise((r) => listener.once('listening', r));
    const { agent, csrf, loginResponse } = await login(server.app, 'carol');
    const cookie = `vigie_sid=${cookieValue(loginResponse, 'vigie_sid')}`;
    const ended = new Promise<number>((resolve) => {
      http.get({ host: '127.0.0.1', port: (listener.address() as AddressInfo).port, path: '/events', headers: { Cookie: cookie } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
    });
    await new Promise((r) => setTimeout(r, 250));
    await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(await ended).toBe(200);
    await new Promise((r) => listener.close(r));
  });
});
