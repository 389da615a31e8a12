import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/lib/package-root';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/databases';
import { CLI, spawnVigie } from '../../helpers/processes';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';
import { startLocalServer } from '../ingest/local-server';

const SEED_001 = path.resolve(packageRoot(), '..', 'shared', 'seeds', '001_eb65ca922daaa8d5.txt');
const fixture = (name: string) => fs.readFileSync(path.join(packageRoot(), 'fixtures', 'wordpress', name), 'utf8');

describe('vigie ingest', () => {
  const prefix = uniquePrefix('ingest');
  let t: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    const { rows } = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    env = {
      DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${rows[0].schema}`)}`,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ALLOW_PRIVATE_FETCH: '1',
    };
  }, 60_000);

  afterAll(async () => {
    await deletePrefix(prefix);
    await t.drop();
  });

  const ingest = async (args: string[]) => {
    const run = spawnVigie(['ingest', ...args, '--json'], env);
    const code = await run.exited;
    return { code, output: run.output() };
  };

  it('stores the seed 001 thread once: 7 comments, the 7th replying to the 6th', async () => {
    const first = await ingest([SEED_001, '--site', 'seeds']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.output)).toMatchObject({ found: 7, created: 7, unchanged: 0 });
    const again = await ingest([SEED_001, '--site', 'seeds']);
    expect(JSON.parse(again.output)).toMatchObject({ found: 7, created: 0, unchanged: 7 });
    const { rows } = await t.db.query<{ text: string; parent_text: string | null }>(
      `SELECT c.text, p.text AS parent_text FROM comments c LEFT JOIN comments p ON p.id = c.parent_id
       WHERE c.site_id = 'seeds' AND c.parent_id IS NOT NULL`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].text).toMatch(/j’espère que tu vis au Mali/);
    expect(rows[0].parent_text).toMatch(/^Paris observe/);
  }, 60_000);

  it('reads a post through the WordPress REST API, threads replies, and refuses half-given options', async () => {
    const server = await startLocalServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      if (url.pathname === '/blog/wp-json/wp/v2/comments' && url.searchParams.get('post') === '42') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-wp-totalpages': '2' });
        res.end(fixture(`rest-comments-post-42-page-${url.searchParams.get('page') ?? '1'}.json`));
      } else {
        res.writeHead(404).end();
      }
    });
    try {
      const result = await ingest(['--wordpress', `${server.baseUrl}/blog`, '--post', '42', '--site', 'wp']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.output)).toMatchObject({ found: 3, created: 3 });
      const { rows } = await t.db.query<{ source_id: string; parent_source: string | null; source: string }>(
        `SELECT c.source_id, p.source_id AS parent_source, c.source FROM comments c
         LEFT JOIN comments p ON p.id = c.parent_id WHERE c.site_id = 'wp' ORDER BY c.source_id`,
      );
      expect(rows).toEqual([
        { source_id: '101', parent_source: null, source: 'wordpress' },
        { source_id: '102', parent_source: '101', source: 'wordpress' },
        { source_id: '103', parent_source: '102', source: 'wordpress' },
      ]);
      const halfGiven = await ingest(['--wordpress', `${server.baseUrl}/blog`]);
      expect(halfGiven.code).toBe(2);
      expect(halfGiven.output).toContain('--wordpress and --post go together');
    } finally {
      await server.close();
    }
  }, 60_000);

  describe('WordPress sites whose REST API is off', () => {
    let server: Awaited<ReturnType<typeof startLocalServer>>;

    beforeAll(async () => {
      server = await startLocalServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://local');
        if (url.pathname.startsWith('/locked/wp-json/')) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(fixture('rest-disabled-401.json'));
        } else if (url.pathname === '/locked/' && url.searchParams.get('p') === '43' && url.searchParams.get('feed') === 'atom') {
          res.writeHead(200, { 'content-type': 'application/atom+xml; charset=UTF-8' });
          res.end(fixture('comments-post-43.atom.xml'));
        } else {
          res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Introuvable</h1>');
        }
      });
    });
    afterAll(() => server.close());

    it('ingests a post through its comment feed when the API answers 401, and says so', async () => {
      const result = await ingest(['--wordpress', `${server.baseUrl}/locked`, '--post', '43', '--site', 'wp-feed']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.output)).toMatchObject({ via: 'feed', restFailure: 'HTTP 401', found: 3, created: 3 });
      const { rows } = await t.db.query<{ source_id: string; parent_source: string | null; source: string }>(
        `SELECT c.source_id, p.source_id AS parent_source, c.source FROM comments c
         LEFT JOIN comments p ON p.id = c.parent_id WHERE c.site_id = 'wp-feed' ORDER BY c.source_id`,
      );
      expect(rows).toEqual([
        { source_id: '201', parent_source: null, source: 'wordpress' },
        { source_id: '202', parent_source: null, source: 'wordpress' },
        { source_id: '203', parent_source: '201', source: 'wordpress' },
      ]);
      const text = spawnVigie(['ingest', '--wordpress', `${server.baseUrl}/locked`, '--post', '43', '--site', 'wp-feed'], env);
      expect(await text.exited).toBe(0);
      expect(text.output()).toContain('3 comments found (through the comment feed, which lists only the most recent comments; REST API: HTTP 401), 0 new');
    }, 60_000);

    it('fails with both reasons when neither the API nor the feed answers, and checks --via', async () => {
      const neither = await ingest(['--wordpress', `${server.baseUrl}/gone`, '--post', '43']);
      expect(neither.code).toBe(1);
      expect(neither.output).toContain(
        `cannot read WordPress comments of ${server.baseUrl}/gone post 43: REST API: HTTP 404; comment feed: No post 43 on this site`,
      );
      const restOnly = await ingest(['--wordpress', `${server.baseUrl}/locked`, '--post', '43', '--via', 'rest']);
      expect(restOnly.code).toBe(1);
      expect(restOnly.output).toContain('post 43: HTTP 401');
      const badVia = await ingest(['--wordpress', `${server.baseUrl}/locked`, '--post', '43', '--via', 'rss']);
      expect(badVia.code).toBe(2);
      expect(badVia.output).toContain('--via must be one of rest, feed, auto, got "rss"');
      const viaAlone = await ingest([SEED_001, '--via', 'feed']);
      expect(viaAlone.code).toBe(2);
      expect(viaAlone.output).toContain('--via goes with --wordpress and --post');
    }, 60_000);

    it('vigie extract prints the feed comments as JSON and the path on stderr, storing nothing', async () => {
      const run = await runCli(['extract', '--wordpress', `${server.baseUrl}/locked`, '--post', '43', '--via', 'feed'], env);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).map((c: { id: string; parentId: string | null }) => [c.id, c.parentId])).toEqual([
        ['201', null],
        ['202', null],
        ['203', '201'],
      ]);
      expect(run.stderr).toBe('vigie extract: 3 comments through the comment feed, which lists only the most recent comments\n');
      const stored = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE site_id = '127.0.0.1'`);
      expect(stored.rows[0].n).toBe(0);
    }, 30_000);
  });

  it('stores a page whose comments carry NUL characters without them, as a browser shows it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-nul-'));
    const page = path.join(dir, 'page.html');
    fs.writeFileSync(
      page,
      '<html><body><ol class="commentlist"><li class="comment" id="comment-9"><div class="comment-author"><cite class="fn">Ano\u0000nyme</cite></div>' +
        '<div class="comment-content"><p>Bien\u0000 vu, merci.</p></div></li></ol></body></html>',
    );
    const run = await ingest([page, '--url', 'https://nul.example/article', '--site', 'nul-site']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.output)).toMatchObject({ found: 1, created: 1 });
    const { rows } = await t.db.query<{ text: string; author: string }>("SELECT text, author FROM comments WHERE site_id = 'nul-site'");
    expect(rows).toEqual([{ text: 'Bien vu, merci.', author: 'Anonyme' }]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('on the embedded database, a page without comments: says so, prints only JSON on stdout, and exits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-empty-'));
    const page = path.join(dir, 'page.html');
    fs.writeFileSync(page, '<html><head><title>Budget 2027</title></head><body><article><p>Le texte de l’article.</p></article></body></html>');
    // No DATABASE_URL: PGlite, whose open handle kept the process alive when closing Redis failed.
    const pgliteEnv = { REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, DATA_DIR: dir, LOG_LEVEL: 'info' };
    try {
      const json = await runCli(['ingest', page, '--url', 'https://vide.example/budget', '--json'], pgliteEnv);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ found: 0, created: 0, comments: [] });
      expect(json.stderr).toMatch(/embedded PGlite database opened/);
      const text = await runCli(['ingest', page, '--url', 'https://vide.example/budget'], pgliteEnv);
      expect(text.code).toBe(0);
      expect(text.stdout).toBe(`${page}: no reader comments found; nothing stored\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a loopback URL unless private fetching is allowed', async () => {
    const run = spawnVigie(['ingest', 'http://127.0.0.1:9/page'], { ...env, ALLOW_PRIVATE_FETCH: '0' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/cannot fetch http:\/\/127\.0\.0\.1:9\/page: .*private/i);
  }, 30_000);
});

/** The built CLI with stdout and stderr kept apart (extract prints JSON on stdout only). */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
