import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { commentsFromFile } from '../../src/cli/read-source';
import { addUser } from '../../src/cli/users.command';
import { createApp } from '../../src/http/app';
import { createRedisHub, type LiveHub } from '../../src/http/live/hub';
import { acceptComments } from '../../src/ingest/accept-comments';
import { packageRoot } from '../../src/lib/package-root';
import { silentLogger } from '../../src/lib/logger';
import { QUEUE_NAMES } from '../../src/queue/names';
import { getCurrentDecision } from '../../src/store/decisions.repository';
import { createScoreWorker } from '../../workers/score.worker';
import { openTestDatabase, type TestDatabase } from '../helpers/databases';
import { createWordListEngine } from '../helpers/pipeline';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis';
import { signedHeaders, TEST_SECRET, webhookBody } from '../helpers/webhook';

// Callbacks below run in the browser; the project's tsconfig has no DOM lib.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(packageRoot(), 'test-artifacts');

/** Hostile comments: each would set window.__pwned or open a dialog if any of it ran. */
const XSS_TEXTS = [
  'Espèce de connard <script>window.__pwned = 1; alert("script")</script>',
  'Bande de charlots <img src=x onerror="window.__pwned = 2; alert(2)">',
  'Crétin <a href="javascript:window.__pwned=3">clique ici</a> connard',
  'Connard <svg onload="window.__pwned = 4; alert(4)"><circle r=5></svg>',
  'Abruti </textarea></title><"\'><iframe srcdoc="<script>parent.__pwned=5</script>"> <b onmouseover=alert(6)>connard',
];

describe('a moderator reviews the queue with the keyboard only', () => {
  let t: TestDatabase;
  let hub: LiveHub;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let stopPipeline: () => Promise<void>;
  const dialogs: string[] = [];
  /** Our own pages must not need anything the CSP blocks (inline styles, handlers, scripts). */
  const cspViolations: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    t = await openTestDatabase('pglite');
    await addUser(t.db, { name: 'bob', role: 'moderator', password: 'bob-password-1234' });
    await addUser(t.db, { name: 'carol', role: 'moderator', password: 'carol-password-12' });
    await addUser(t.db, { name: 'alice', role: 'admin', password: 'alice-password-123' });
    const prefix = uniquePrefix('e2e');
    const producer = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const workerConnection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const scoreQueue = new Queue(QUEUE_NAMES.score, { connection: producer, prefix });
    const worker = createScoreWorker({ connection: workerConnection, db: t.db, engine: await createWordListEngine(), logger: silentLogger(), prefix, concurrency: 8 });
    void worker.worker.run();
    hub = await createRedisHub({ redisUrl: TEST_REDIS_URL, queuePrefix: prefix, db: t.db, logger: silentLogger() });
    const app = createApp({ db: t.db, scoreQueue, webhookSecret: TEST_SECRET, logger: silentLogger(), live: hub });
    server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stopPipeline = async () => {
      await worker.close();
      await scoreQueue.close();
      await deletePrefix(prefix);
      await producer.quit();
      await workerConnection.quit();
    };

    const seed = await commentsFromFile(path.join(packageRoot(), 'fixtures', 'demo', '001-securite-au-mali.txt'), { siteId: 'demo' });
    await acceptComments({ db: t.db, scoreQueue, logger: silentLogger() }, seed);
    for (const [i, text] of XSS_TEXTS.entries()) await post(webhookBody({ id: `xss-${i}`, text }));
    await waitUntil(async () => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE status = 'pending'`)).rows[0].n === 0);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    server?.closeAllConnections();
    await hub?.close();
    await stopPipeline?.();
    await t?.drop();
  });

  async function post(body: unknown) {
    const raw = JSON.stringify(body);
    const res = await fetch(`${base}/api/comments`, { method: 'POST', headers: signedHeaders(raw), body: raw });
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
    return (await res.json()) as { id: string };
  }

  async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const rowIds = () => page.$$eval('#queue li.row', (rows) => rows.map((r: any) => r.getAttribute('data-id') ?? ''));
  const focusedRow = () => page.evaluate(() => document.activeElement?.closest('li.row')?.getAttribute('data-id') ?? null);
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const decisionOf = async (id: string) => {
    const d = await getCurrentDecision(t.db, id);
    return d ? `${d.decision} by ${d.actor}` : null;
  };

  it('logs in, triages, bulk-approves, undoes, sees a live comment, executes no hostile markup, logs out', async () => {
    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/login?next=%2F`);
    await shot('01-login');
    await page.keyboard.type('bob');
    await page.keyboard.press('Tab');
    await page.keyboard.type('bob-password-1234');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);
    await page.waitForSelector('#queue li.row.current');
    await shot('02-queue');

    const initial = await rowIds();
    expect(initial.length).toBeGreaterThanOrEqual(6);
    expect(await focusedRow()).toBe(initial[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await focusedRow()).toBe(initial[2]);
    await page.keyboard.press('k');
    expect(await focusedRow()).toBe(initial[1]);

    // a: approve the focused comment; it leaves the queue and the next one takes focus.
    await page.keyboard.press('a');
    await page.waitForFunction((id: string) => !document.querySelector(`li.row[data-id="${id}"]`), initial[1]);
    expect(await decisionOf(initial[1])).toBe('approve by moderator:bob');
    expect(await focusedRow()).toBe(initial[2]);

    // r: reject with a reason picked by its number.
    await page.keyboard.press('r');
    await page.waitForSelector('dialog.reasons-dialog[open]');
    await shot('03-reject-reason');
    await page.keyboard.press('2');
    await page.waitForFunction((id: string) => !document.querySelector(`li.row[data-id="${id}"]`), initial[2]);
    expect(await decisionOf(initial[2])).toBe('reject by moderator:bob');
    const reason = await t.db.query<{ details: { reason: string } }>(`SELECT details FROM audit_log WHERE comment_id = $1`, [initial[2]]);
    expect(reason.rows[0].details.reason).toBe('threat');

    // e: escalate keeps it in the queue, marked.
    const escalated = await focusedRow();
    await page.keyboard.press('e');
    await page.waitForFunction((id: string) => document.querySelector(`li.row[data-id="${id}"] .badge`)?.textContent?.includes('bob'), escalated);
    expect(await decisionOf(escalated!)).toBe('review by moderator:bob');

    // o opens the detail, Escape goes back.
    await page.keyboard.press('o');
    await page.waitForURL(/\/comments\//);
    await page.waitForSelector('#detail');
    await shot('04-detail');
    await page.keyboard.press('Escape');
    await page.waitForURL(`${base}/`);
    await page.waitForSelector('#queue li.row.current');

    // x selects; a approves the whole selection; u undoes the batch.
    const before = await rowIds();
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.keyboard.press('a');
    await page.waitForFunction((ids: string[]) => ids.every((id: string) => !document.querySelector(`li.row[data-id="${id}"]`)), before.slice(0, 2));
    for (const id of before.slice(0, 2)) expect(await decisionOf(id)).toBe('approve by moderator:bob');
    await page.keyboard.press('u');
    await page.waitForFunction((ids: string[]) => ids.every((id: string) => document.querySelector(`li.row[data-id="${id}"]`)), before.slice(0, 2), { timeout: 10_000 });
    for (const id of before.slice(0, 2)) expect(await decisionOf(id)).not.toBe('approve by moderator:bob');
    await page.waitForSelector('#queue li.row.current');

    // A comment posted to the webhook appears without reload once the worker flags it.
    const live = await post(webhookBody({ id: 'live-1', text: 'Retournez à l’école, bande de charlots <i>live</i> !' }));
    await page.waitForSelector(`#queue li.row.new[data-id="${live.id}"]`, { timeout: 15_000 });
    expect(await page.textContent(`li.row[data-id="${live.id}"] a.text`)).toBe('Retournez à l’école, bande de charlots <i>live</i> !');
    expect(await page.isVisible('#live-banner')).toBe(true);
    await shot('05-live');

    // Hostile markup is shown as text everywhere and runs nothing.
    await page.goto(`${base}/all`);
    await page.waitForSelector('#queue li.row');
    for (const text of XSS_TEXTS) {
      expect(await page.locator('#queue a.text', { hasText: text }).count()).toBe(1);
    }
    const xssId = (await t.db.query<{ id: string }>(`SELECT id FROM comments WHERE source_id = 'xss-3'`)).rows[0].id;
    await page.goto(`${base}/comments/${xssId}`);
    expect(await page.textContent('p.text.highlighted')).toBe(XSS_TEXTS[3]);
    expect(await page.locator('p.text.highlighted mark').count()).toBeGreaterThan(0);
    await shot('06-detail-xss');
    await page.goto(`${base}/all`);
    await page.waitForSelector('#queue li.row.current');
    await page.keyboard.press('?');
    await page.waitForSelector('dialog#help[open]');
    await shot('07-help');
    await page.keyboard.press('Escape');
    await page.goto(`${base}/stats`);
    await shot('08-stats');
    await page.goto(`${base}/audit`);
    await shot('09-audit');
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(await page.locator('script:not([src]):not([type="application/json"])').count()).toBe(0);

    // Logout by keyboard: Tab to the button, Enter.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.closest('form')?.getAttribute('action') === '/logout')) break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/login`);
    await page.goto(`${base}/`);
    expect(page.url()).toContain('/login');
  }, 60_000);

  async function loginAs(name: string, password: string, locale = 'fr-FR'): Promise<Page> {
    const p = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale });
    p.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await p.goto(`${base}/login`);
    // Typing starts once the login form's autofocus has landed (slow under a loaded CI machine).
    await p.waitForFunction(() => document.activeElement?.tagName === 'INPUT');
    await p.keyboard.type(name);
    await p.keyboard.press('Tab');
    await p.keyboard.type(password);
    await p.keyboard.press('Enter');
    await p.waitForURL(`${base}/`);
    return p;
  }

  it('two moderators see each other: presence on a comment, and actions taken elsewhere', async () => {
    const carol = await loginAs('carol', 'carol-password-12', 'en-GB');
    const bob = await loginAs('bob', 'bob-password-1234');
    await carol.waitForSelector('#queue li.row.current');
    const ids = await carol.$$eval('#queue li.row', (rows) => rows.map((r: any) => r.getAttribute('data-id') as string));
    // bob opens the first comment: carol's queue shows it is open, live.
    await bob.goto(`${base}/comments/${ids[0]}`);
    await carol.waitForFunction((id: string) => document.querySelector(`li.row[data-id="${id}"] .presence`)?.textContent?.includes('bob'), ids[0]);
    // carol opens it too and is warned that bob is there.
    await carol.goto(`${base}/comments/${ids[0]}`);
    expect(await carol.textContent('#presence')).toContain('bob');
    await bob.waitForFunction(() => document.querySelector('#presence')?.textContent?.includes('carol'));
    // bob approves from the detail page with "a"; carol's queue marks the row as taken.
    await carol.goto(`${base}/`);
    await carol.waitForSelector('#queue li.row.current');
    await bob.keyboard.press('a');
    await bob.waitForURL(`${base}/`);
    await carol.waitForSelector(`li.row.taken[data-id="${ids[0]}"]`);
    expect(await carol.textContent(`li.row[data-id="${ids[0]}"] .taken-note`)).toContain('bob');
    await carol.screenshot({ path: path.join(ARTIFACTS, '10-taken-en.png'), fullPage: false });
    expect(await decisionOf(ids[0])).toBe('approve by moderator:bob');
    await bob.close();
    await carol.close();

    // Only the admin sees user management.
    const alice = await loginAs('alice', 'alice-password-123');
    await alice.goto(`${base}/users`);
    expect(await alice.textContent('h1')).toBe('Comptes');
    await alice.screenshot({ path: path.join(ARTIFACTS, '11-users.png'), fullPage: true });
    await alice.close();
    expect(dialogs).toEqual([]);
  }, 90_000);
});
