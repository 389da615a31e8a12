/**
 * npm run bench:pagination — keyset pagination at scale: 1,000,000 comments (and their current
 * decisions) in a throwaway schema of the real PostgreSQL, then EXPLAIN ANALYZE of a first page
 * and a deep page for the main views and filters. A benchmark (a few minutes), not part of npm test.
 */
import type { Queryable } from '../src/store/database';
import { listModerationQueue, type QueueFilter } from '../src/store/moderation.repository';
import { openTestDatabase, type TestDatabase } from '../test/helpers/databases';

const ROWS = Number(process.env.VIGIE_BENCH_ROWS ?? 1_000_000);
describe(`keyset pagination over ${ROWS.toLocaleString('en')} comments (PostgreSQL)`, () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    const started = Date.now();
    await t.db.query(
      `INSERT INTO articles (id, site_id, url, title)
       SELECT 'a' || g, 'site-' || (g % 5), 'https://news.example/' || g, 'Article ' || g FROM generate_series(1, 1000) g`,
    );
    // 70 % approve, 20 % review, 10 % reject; threats/severe rare; 2 languages; 30 days.
    await t.db.query(
      `INSERT INTO comments (id, site_id, article_id, source, author, text, text_hash, content_key, status,
         decision, decided_by, severity, top_label, language, created_at, decided_at)
       SELECT lpad(g::text, 8, '0') || '-0000-4000-8000-000000000000', 'site-' || ((g % 1000) % 5), 'a' || (1 + g % 1000), 'webhook',
              'author' || (g % 50000), 'comment number ' || g || CASE WHEN g % 997 = 0 THEN ' needle' ELSE ' ordinary words' END,
              md5(g::text), md5(g::text), 'scored',
              CASE WHEN r < 0.7 THEN 'approve' WHEN r < 0.9 THEN 'review' ELSE 'reject' END, 'machine',
              CASE WHEN g % 50 = 0 THEN 1 + random() ELSE random() END,
              (ARRAY['toxicity','insult','obscene','threat','identity_attack','severe_toxicity','sexual_explicit'])[1 + (g % 7)],
              CASE WHEN g % 3 = 0 THEN 'en' ELSE 'fr' END,
              now() - (g % 43200) * interval '1 minute', now() - (g % 43200) * interval '1 minute'
       FROM (SELECT g, random() AS r FROM generate_series(1, $1::int) g) s`,
      [ROWS],
    );
    await t.db.query(
      `INSERT INTO decisions (id, comment_id, text_hash, actor, decision, language, scores, model_version, policy_version, is_current)
       SELECT 'd' || c.id, c.id, c.text_hash, 'machine', c.decision, c.language,
              jsonb_build_object('toxicity', round(random()::numeric, 3), 'insult', round(random()::numeric, 3), 'threat', round(random()::numeric, 3)),
              'bench@1', 'p@1', true
       FROM comments c`,
    );
    await t.db.query('ANALYZE');
    // eslint-disable-next-line no-console
    console.log(`seeded ${ROWS} comments + decisions in ${Math.round((Date.now() - started) / 1000)} s`);
  }, 900_000);

  afterAll(async () => {
    await t?.drop();
  });

  const scenarios: [string, QueueFilter][] = [
    ['to review', { view: 'review' }],
    ['to review, label=threat', { view: 'review', label: 'threat' }],
    ['to review, language=en', { view: 'review', language: 'en' }],
    ['to review, site=site-3', { view: 'review', site: 'site-3' }],
    ['to review, article=a42', { view: 'review', articleId: 'a42' }],
    ['to review, last 7 days', { view: 'review', from: new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10) }],
    ['rejected', { view: 'rejected' }],
    ['approved', { view: 'approved' }],
    ['all', { view: 'all' }],
    ['to review, insult score >= 0.9 (jsonb)', { view: 'review', label: 'insult', minScore: 0.9 }],
    ['to review, text search "needle" (ILIKE)', { view: 'review', q: 'needle' }],
  ];

  it('pages fast from the first page to a deep page', async () => {
    const report: string[] = [];
    for (const [name, filter] of scenarios) {
      const first = await timed(t.db, filter, undefined);
      // The cursor of a page ~50,000 rows deep (computed once with OFFSET, not timed).
      const deep = await cursorAt(t.db, filter, 50_000);
      const deepPage = deep ? await timed(t.db, filter, deep) : null;
      report.push(
        `${name.padEnd(44)} first ${first.ms.toFixed(1).padStart(7)} ms  ` +
          (deepPage ? `@50k ${deepPage.ms.toFixed(1).padStart(7)} ms` : '@50k   (fewer rows)') +
          `  | ${first.plan}`,
      );
    }
    // eslint-disable-next-line no-console
    console.log(report.join('\n'));
  }, 900_000);
});

/** EXPLAIN ANALYZE of exactly the SQL the repository sends. */
async function timed(db: Queryable, filter: QueueFilter, after: { sortKey: number; id: string } | undefined) {
  let captured: { sql: string; params?: unknown[] } | undefined;
  const spy: Queryable = {
    query: async <T>(sql: string, params?: unknown[]) => {
      captured = { sql, params };
      return db.query<T>(sql, params);
    },
  };
  await listModerationQueue(spy, filter, { limit: 50, after });
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${captured!.sql}`, captured!.params);
  const lines = rows.map((r) => r['QUERY PLAN']);
  const ms = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))?.[1]);
  const index = lines.map((l) => /(?:Index|Index Only) Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)|Seq Scan on (\w+)/.exec(l)).find(Boolean);
  return { ms, plan: index ? index[0] : lines[0].trim() };
}

async function cursorAt(db: Queryable, filter: QueueFilter, offset: number) {
  const page = await listModerationQueue(
    {
      query: <T>(sql: string, params?: unknown[]) => db.query<T>(sql.replace(/LIMIT \$(\d+)\s*$/, `OFFSET ${offset} LIMIT $$$1`), params),
    },
    filter,
    { limit: 1 },
  );
  const row = page.items[0];
  return row ? { sortKey: row.sortKey, id: row.id } : null;
}

