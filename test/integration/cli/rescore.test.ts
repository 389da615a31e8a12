import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { rescoreCommand } from '../../../src/cli/rescore.command';
import { PRIORITY, QUEUE_NAMES } from '../../../src/queue/names';
import { getComment } from '../../../src/store/comments.repository';
import { getCurrentDecision, listDecisions, saveMachineDecisions } from '../../../src/store/decisions.repository';
import { listSelectionPage, type SelectedComment } from '../../../src/store/rescore.repository';
import { applyModeratorAction } from '../../../src/store/moderation.repository';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabaseKind, type TestDatabase } from '../../helpers/databases';
import { spawnVigie } from '../../helpers/processes';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis';
import { commandEnv, runCommand, seedDecided, startScoreWorker, tempDir, wordListEngine, writeStrictPolicy } from './helpers';

const TEXTS = {
  neutral: 'Merci pour cet article très clair.',
  mild: 'Quel idiot ce ministre.',
  strong: 'Ce type est un fils de pute.',
  medium: 'Quel connard ce ministre.',
  moderated: 'Encore un idiot de plus au gouvernement.',
};

describe.each<TestDatabaseKind>(['pglite', 'postgres'])('vigie rescore (%s)', (kind) => {
  let t: TestDatabase;
  let ids: Record<keyof typeof TEXTS, string>;
  let prefix: string;
  let dir: string;
  let strictPolicy: string;
  let env: NodeJS.ProcessEnv;
  const decisionCount = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions')).rows[0].n;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    const keys = Object.keys(TEXTS) as (keyof typeof TEXTS)[];
    const seeded = await seedDecided(t.db, keys.map((k) => TEXTS[k]));
    ids = Object.fromEntries(keys.map((k, i) => [k, seeded[i]])) as typeof ids;
    await applyModeratorAction(t.db, { commentIds: [ids.moderated], action: 'approve', moderator: 'alice' });
    prefix = uniquePrefix('rescore');
    dir = tempDir();
    strictPolicy = writeStrictPolicy(dir);
    env = commandEnv(prefix, { POLICY_FILE: strictPolicy });
  }, 60_000);

  afterAll(async () => {
    await deletePrefix(prefix);
    await t?.drop();
  });

  it('--dry-run reports the flips of a stricter policy, writes them to --out, and writes nothing to the store', async () => {
    const before = await decisionCount();
    const out = path.join(dir, 'flips.csv');
    const res = await runCommand(rescoreCommand, ['--dry-run', '--policy', strictPolicy, '--json', '--out', out], { db: t.db, env: commandEnv(prefix) });
    expect(res.error).toBeUndefined();
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({
      mode: 'dry-run',
      policyVersion: 'test-strict',
      selected: 5,
      moderated: 1,
      scored: 4,
      changed: 2,
      unchanged: 2,
      flips: { 'approve→review': 1, 'review→reject': 1 },
      flipsByLabel: { insult: { 'approve→review': 1, 'review→reject': 1 } },
    });
    expect(report.examples['approve→review'][0]).toMatchObject({ commentId: ids.mild, excerpt: TEXTS.mild });
    expect(report.examples['review→reject'][0]).toMatchObject({ commentId: ids.medium });
    const csv = fs.readFileSync(out, 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/^comment_id,site_id,article_url,from,to,label,/);
    expect(csv).toHaveLength(3);
    expect(csv.some((line) => line.startsWith(`${ids.mild},le-journal,`) && line.includes(',approve,review,insult,'))).toBe(true);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
    expect(await decisionCount()).toBe(before);
    expect((await getCurrentDecision(t.db, ids.mild))?.decision).toBe('approve');
  });

  it('--dry-run prints a readable report without --json', async () => {
    const res = await runCommand(rescoreCommand, ['--dry-run', '--policy', strictPolicy, '--site', 'le-journal'], { db: t.db, env: commandEnv(prefix) });
    expect(res.error).toBeUndefined();
    expect(res.stdout).toContain('approve→review');
    expect(res.stdout).toContain('1 decided by moderators');
    expect(res.stdout).toContain('Nothing was written');
  });

  it('a bad date, an unknown site or label fail with a usage exit code and a clear message', async () => {
    const badDate = await runCommand(rescoreCommand, ['--dry-run', '--since', '2026-02-31'], { db: t.db, env });
    expect(badDate.exitCode).toBe(2);
    expect(badDate.error?.message).toMatch(/invalid --since "2026-02-31"/);
    const badSite = await runCommand(rescoreCommand, ['--dry-run', '--site', 'nope'], { db: t.db, env });
    expect(badSite.exitCode).toBe(2);
    expect(badSite.error?.message).toBe('unknown site "nope"; known sites: le-journal');
    const badLabel = await runCommand(rescoreCommand, ['--dry-run', '--label', 'rude'], { db: t.db, env });
    expect(badLabel.exitCode).toBe(2);
    expect(badLabel.error?.message).toMatch(/unknown --label "rude"; choose from toxicity/);
    const badThreads = await runCommand(rescoreCommand, ['--dry-run', '--threads', 'many'], { db: t.db, env });
    expect(badThreads.exitCode).toBe(2);
    expect(badThreads.error?.message).toMatch(/--threads: expected 0 to 64, got "many"/);
  });

  it('applying refuses without --yes when not on a terminal, and with a --policy the workers do not run', async () => {
    const noYes = await runCommand(rescoreCommand, [], { db: t.db, env });
    expect(noYes.exitCode).toBe(2);
    expect(noYes.error?.message).toMatch(/refusing to rescore without --yes when not on a terminal: 4 of 5 selected comments/);
    const otherPolicy = writeStrictPolicy(dir, 'test-other');
    const mismatch = await runCommand(rescoreCommand, ['--yes', '--policy', otherPolicy], { db: t.db, env });
    expect(mismatch.exitCode).toBe(2);
    expect(mismatch.error?.message).toMatch(/is not the workers' policy \(version test-strict/);
    const unreachable = await runCommand(rescoreCommand, ['--yes'], { db: t.db, env: { ...env, REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(unreachable.exitCode).toBe(3);
    expect(unreachable.error?.message).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
  });

  it('applies at batch priority; the workers write the new policy version; moderated comments stay untouched; a re-run does nothing', async () => {
    // Enqueue only (no worker yet): the jobs wait at batch priority.
    const queued = await runCommand(rescoreCommand, ['--yes', '--no-follow', '--json'], { db: t.db, env });
    expect(queued.error).toBeUndefined();
    expect(JSON.parse(queued.stdout)).toMatchObject({ mode: 'apply', policyVersion: 'test-strict', selected: 5, moderated: 1, enqueued: 4 });
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    let worker: ReturnType<typeof startScoreWorker> | undefined;
    try {
      const jobs = await queue.getJobs(['prioritized', 'waiting']);
      expect(jobs).toHaveLength(4);
      for (const job of jobs) {
        expect(job.opts.priority).toBe(PRIORITY.batch);
        expect(job.id).toMatch(/^rescore-[0-9a-f]{16}-/);
      }
      expect(jobs.map((j) => j.data.commentId)).not.toContain(ids.moderated);

      // Workers run the same policy. Held paused until the re-run follows the queued jobs (not adding them twice).
      await queue.pause();
      worker = startScoreWorker(t.db, await wordListEngine(strictPolicy), prefix);
      const applying = runCommand(rescoreCommand, ['--yes', '--json'], { db: t.db, env });
      await new Promise((r) => setTimeout(r, 1_000));
      await queue.resume();
      const applied = await applying;
      expect(applied.error).toBeUndefined();
      const report = JSON.parse(applied.stdout);
      expect(report).toMatchObject({ enqueued: 0, alreadyQueued: 4, finished: 4, pending: 0, interrupted: false });
      expect(report.outcomes.saved).toBe(4);
      expect(report.flips).toEqual({ 'approve→review': 1, 'review→reject': 1 });
      expect(applied.stderr).toMatch(/rescore: 4\/4 \(100%\)/);
    } finally {
      await worker?.stop();
      await queue.close();
      await connection.quit();
    }
    for (const key of ['neutral', 'mild', 'strong', 'medium'] as const) {
      const current = await getCurrentDecision(t.db, ids[key]);
      expect(current).toMatchObject({ actor: 'machine', policyVersion: 'test-strict' });
    }
    expect((await getCurrentDecision(t.db, ids.mild))?.decision).toBe('review');
    expect((await getCurrentDecision(t.db, ids.strong))?.decision).toBe('reject');
    const moderated = await listDecisions(t.db, ids.moderated);
    expect(moderated.find((d) => d.isCurrent)).toMatchObject({ actor: 'moderator:alice', decision: 'approve' });
    expect(moderated.some((d) => d.policyVersion === 'test-strict')).toBe(false);

    const before = await decisionCount();
    const again = await runCommand(rescoreCommand, ['--yes', '--json'], { db: t.db, env });
    expect(again.error).toBeUndefined();
    expect(JSON.parse(again.stdout)).toMatchObject({ selected: 5, upToDate: 4, moderated: 1, enqueued: 0 });
    expect(await decisionCount()).toBe(before);
    expect((await getComment(t.db, ids.mild))?.status).toBe('scored');
  });
});

describe('vigie rescore: confirmation and Ctrl-C', () => {
  let t: TestDatabase;
  let prefix: string;
  let dir: string;
  let strictPolicy: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    await seedDecided(t.db, Object.values(TEXTS));
    prefix = uniquePrefix('rescore-int');
    dir = tempDir();
    strictPolicy = writeStrictPolicy(dir);
    env = commandEnv(prefix, { POLICY_FILE: strictPolicy });
  }, 60_000);

  afterAll(async () => {
    await deletePrefix(prefix);
    await t?.drop();
  });

  it('asks for confirmation with the count on a terminal, and queues nothing when refused', async () => {
    const questions: string[] = [];
    const refused = await runCommand(rescoreCommand, [], { db: t.db, env, confirm: async (q) => (questions.push(q), false) });
    expect(refused.exitCode).toBe(1);
    expect(refused.error?.message).toBe('cancelled; nothing was queued');
    expect(questions[0]).toMatch(/^5 of 5 selected comments to rescore with model lexicon@\w+, policy test-strict/);
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    try {
      expect(await queue.count()).toBe(0);
    } finally {
      await queue.close();
      await connection.quit();
    }
  });

  it('an interrupted dry run leaves no output file', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = path.join(dir, 'interrupted.jsonl');
    const res = await runCommand(rescoreCommand, ['--dry-run', '--out', out], { db: t.db, env, signal: controller.signal });
    expect(res.exitCode).toBe(130);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
  });

  it('Ctrl-C while following leaves the queued jobs for the workers; the re-run picks them up without duplicating', async () => {
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.score, { connection, prefix });
    let worker: ReturnType<typeof startScoreWorker> | undefined;
    try {
      const controller = new AbortController();
      const running = runCommand(rescoreCommand, ['--yes', '--json'], { db: t.db, env, signal: controller.signal });
      while ((await queue.count()) < 5) await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      const interrupted = await running;
      expect(interrupted.exitCode).toBe(130);
      expect(interrupted.error?.message).toMatch(/^interrupted: 5 queued jobs stay queued/);
      expect(JSON.parse(interrupted.stdout)).toMatchObject({ enqueued: 5, finished: 0, pending: 5, interrupted: true });
      expect(await queue.count()).toBe(5);

      await queue.pause();
      worker = startScoreWorker(t.db, await wordListEngine(strictPolicy), prefix);
      const resumed = runCommand(rescoreCommand, ['--yes', '--json'], { db: t.db, env });
      await new Promise((r) => setTimeout(r, 500));
      await queue.resume();
      const done = await resumed;
      expect(done.error).toBeUndefined();
      expect(JSON.parse(done.stdout)).toMatchObject({ enqueued: 0, alreadyQueued: 5, finished: 5, pending: 0 });
      expect(await queue.getJobCounts('completed', 'waiting', 'prioritized')).toEqual({ completed: 5, waiting: 0, prioritized: 0 });
    } finally {
      await worker?.stop();
      await queue.close();
      await connection.quit();
    }
  });
});

describe.each<TestDatabaseKind>(['pglite', 'postgres'])('rescore reads and writes (%s)', (kind) => {
  let t: TestDatabase;
  let ids: string[];
  let dir: string;
  let strictPolicy: string;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    ids = await seedDecided(t.db, [...Object.values(TEXTS), 'Bande de charlots.', 'Très bon article, merci.']);
    await applyModeratorAction(t.db, { commentIds: [ids[4]], action: 'approve', moderator: 'alice' });
    dir = tempDir();
    strictPolicy = writeStrictPolicy(dir);
  }, 60_000);

  afterAll(async () => {
    await t?.drop();
  });

  it('keyset pages of any size add up to one read, each comment with its current decision', async () => {
    const target = { modelVersion: 'm', policyVersion: 'p' };
    const whole = await listSelectionPage(t.db, {}, target, { limit: 100, withText: true });
    expect(whole).toHaveLength(7);
    expect(whole.every((c) => c.current !== null)).toBe(true);
    for (const limit of [1, 2, 3]) {
      const paged: SelectedComment[] = [];
      for (;;) {
        const page = await listSelectionPage(t.db, {}, target, { limit, afterId: paged[paged.length - 1]?.id, withText: true });
        paged.push(...page);
        if (page.length < limit) break;
      }
      expect(paged).toEqual(whole);
    }
  });

  // PostgreSQL only: the spawned CLI cannot open the PGlite directory this test process holds.
  if (kind === 'postgres') it('the built CLI scores a dry run on threads and reports what the main thread reports', async () => {
    const { rows } = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    const env = commandEnv(uniquePrefix('unused'), {
      DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${rows[0].schema}`)}`,
      SCORERS: 'own,lexicon',
    }) as Record<string, string>;
    const threaded = spawnVigie(['rescore', '--dry-run', '--policy', strictPolicy, '--json', '--threads', '2', '--batch-size', '3'], env);
    expect(await threaded.exited).toBe(0);
    const { durationMs: _threadedMs, scoringThreads: threads, ...onThreads } = JSON.parse(threaded.output());
    expect(threads).toBe(2);
    const inProcess = await runCommand(rescoreCommand, ['--dry-run', '--policy', strictPolicy, '--json', '--threads', '0'], { db: t.db, env });
    expect(inProcess.error).toBeUndefined();
    const { durationMs: _mainMs, scoringThreads: noThreads, ...onMain } = JSON.parse(inProcess.stdout);
    expect(noThreads).toBe(0);
    expect(onThreads).toEqual(onMain);
    expect(onMain).toMatchObject({ selected: 7, scored: 6 });
  }, 60_000);

  it('a dry run in pages of two reports what one page reports', async () => {
    const run = async (batchSize: string) => {
      const res = await runCommand(rescoreCommand, ['--dry-run', '--policy', strictPolicy, '--json', '--batch-size', batchSize], { db: t.db, env: commandEnv(uniquePrefix('unused')) });
      expect(res.error).toBeUndefined();
      const { durationMs: _duration, ...report } = JSON.parse(res.stdout);
      return report;
    };
    const paged = await run('2');
    expect(paged).toMatchObject({ selected: 7, moderated: 1, scored: 6 });
    expect(paged).toEqual(await run('500'));
  });

  it('saves a batch mixing new, duplicate, stale, moderated, repeated and missing comments, one current decision each', async () => {
    const engine = await wordListEngine(strictPolicy);
    const comments = await Promise.all(ids.slice(0, 5).map(async (id) => (await getComment(t.db, id))!));
    const results = await engine.scoreTexts(comments.map((c) => ({ text: c.text })));
    const input = (i: number, textHash = comments[i].textHash) => ({ commentId: comments[i].id, textHash, result: results[i] });
    expect((await saveMachineDecisions(t.db, [input(1)]))[0].outcome).toBe('saved');

    const saved = await saveMachineDecisions(t.db, [
      input(0),
      input(1),
      input(2, 'an-older-text'),
      input(4),
      input(0),
      { ...input(3), commentId: 'no-such-comment' },
    ]);
    expect(saved.map((s) => s.outcome)).toEqual(['saved', 'duplicate', 'stale', 'moderated', 'duplicate', 'missing']);
    expect(saved[0]).toMatchObject({ isCurrent: true, decisionId: expect.any(String) });
    expect(saved[4]).toEqual({ outcome: 'duplicate', decisionId: saved[0].decisionId, isCurrent: true });
    expect(saved[3]).toMatchObject({ isCurrent: false });

    const { rows } = await t.db.query<{ comment_id: string; n: number }>(
      'SELECT comment_id, count(*)::int AS n FROM decisions WHERE is_current GROUP BY comment_id',
    );
    expect(rows.map((r) => r.n)).toEqual(ids.map(() => 1));
    expect(await getCurrentDecision(t.db, comments[0].id)).toMatchObject({ id: saved[0].decisionId, policyVersion: 'test-strict' });
    const denormalised = async (id: string) =>
      (await t.db.query<{ decision: string; decided_by: string }>('SELECT decision, decided_by FROM comments WHERE id = $1', [id])).rows[0];
    expect(await denormalised(comments[0].id)).toEqual({ decision: results[0].decision, decided_by: 'machine' });
    expect(await getCurrentDecision(t.db, comments[2].id)).toMatchObject({ policyVersion: expect.not.stringMatching('test-strict') });
    expect(await getCurrentDecision(t.db, comments[4].id)).toMatchObject({ actor: 'moderator:alice' });
    expect(await denormalised(comments[4].id)).toEqual({ decision: 'approve', decided_by: 'moderator:alice' });
  });
});
