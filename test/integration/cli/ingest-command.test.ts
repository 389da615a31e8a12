import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../../src/lib/package-root';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/databases';
import { spawnVigie } from '../../helpers/processes';
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

  it('refuses a loopback URL unless private fetching is allowed', async () => {
    const run = spawnVigie(['ingest', 'http://127.0.0.1:9/page'], { ...env, ALLOW_PRIVATE_FETCH: '0' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/cannot fetch http:\/\/127\.0\.0\.1:9\/page: .*private/i);
  }, 30_000);
});
