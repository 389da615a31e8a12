import fs from 'node:fs';
import path from 'node:path';
import { runEvalFromDecisions } from '../../../src/cli/eval-decisions';
import { applyModeratorAction } from '../../../src/store/moderation.repository';
import { loadPolicy } from '../../../src/triage/policy';
import { silentLogger } from '../../../src/lib/logger';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases';
import { uniquePrefix } from '../../helpers/redis';
import { commandEnv, seedDecided, tempDir } from './helpers';
import { PassThrough } from 'node:stream';

describe('vigie eval --from-decisions', () => {
  let t: TestDatabase;
  let dir: string;
  const env = commandEnv(uniquePrefix('eval'));
  const io = () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c) => (text += c));
    return { stdout, stderr: new PassThrough(), text: () => text };
  };

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    const strong = await seedDecided(t.db, Array.from({ length: 15 }, (_, i) => `Quel connard ce ministre, vraiment ${i}.`));
    const mild = await seedDecided(t.db, Array.from({ length: 6 }, (_, i) => `Quel idiot ce ministre, franchement ${i}.`));
    const neutral = await seedDecided(t.db, Array.from({ length: 10 }, (_, i) => `Merci pour cet article sur le budget ${i}.`));
    const moderate = (ids: string[], action: 'approve' | 'reject' | 'escalate') =>
      applyModeratorAction(t.db, { commentIds: ids, action, moderator: 'alice' });
    await moderate(strong.slice(0, 12), 'reject');
    await moderate(strong.slice(12, 14), 'approve');
    await moderate(strong.slice(14), 'escalate');
    await moderate(mild.slice(0, 3), 'reject');
    await moderate(mild.slice(3), 'approve');
    await moderate(neutral, 'approve');
    dir = tempDir();
  }, 60_000);

  afterAll(async () => {
    await t?.drop();
  });

  it('reports agreement per language and label with examples, and suggests reject thresholds', async () => {
    const out = io();
    const result = await runEvalFromDecisions({ db: t.db, env, logger: silentLogger(), ...out, targetPrecision: 0.8, json: true });
    expect(result.pairs).toBe(31);
    expect(result.escalated).toBe(1);
    // connard: machine review; 12 rejected, 2 approved. idiot: machine approve; 3 rejected (missed). Merci: approve/approve.
    expect(result.overall).toMatchObject({ compared: 30, truePositives: 12, falsePositives: 2, falseNegatives: 3, trueNegatives: 13 });
    expect(result.overall.precision).toBeCloseTo(12 / 14, 4);
    expect(result.byLanguage.fr).toMatchObject({ compared: 30 });
    expect(result.byLabel.insult).toEqual({ flagged: 14, confirmed: 12, precision: expect.closeTo(12 / 14, 4) });
    expect(result.falsePositives).toHaveLength(2);
    expect(result.falsePositives[0]).toMatchObject({ machine: 'review', moderator: 'approve', topLabel: 'toxicity' });
    expect(result.falseNegatives).toHaveLength(3);
    expect(result.falseNegatives[0].excerpt).toMatch(/^Quel idiot/);
    // Scores of 0.75 reach 12/14 ≥ 0.8; adding the 0.35s (15/20) would not: the cut sits between them.
    const insult = result.suggestions.find((s) => s.label === 'insult' && s.language === 'default');
    expect(insult).toMatchObject({ threshold: 0.55, current: loadPolicy().thresholds.default.reject.insult, flagged: 14, positives: 15 });
    expect(insult!.precision).toBeCloseTo(12 / 14, 4);
    expect(JSON.parse(out.text())).toMatchObject({ pairs: 31, basePolicy: { version: loadPolicy().version } });
  });

  it('--write-policy writes a new, valid policy version with the suggestions, never over an existing file', async () => {
    const file = path.join(dir, 'policy-next.json');
    const out = io();
    const now = new Date('2026-11-23T15:00:00Z');
    const result = await runEvalFromDecisions({ db: t.db, env, logger: silentLogger(), ...out, targetPrecision: 0.8, writePolicy: file, now });
    const written = loadPolicy(file);
    // The shipped policy is "<date>.<n>": a version written the same day takes the next n.
    const [baseDate, baseN] = loadPolicy().version.split('.');
    const expectedVersion = baseDate === '2026-11-23' ? `2026-11-23.${Number(baseN) + 1}` : '2026-11-23.1';
    expect(written.version).toBe(expectedVersion);
    expect(written.thresholds.default.reject.insult).toBe(0.55);
    expect(written.thresholds.default.review).toEqual(loadPolicy().thresholds.default.review);
    expect(result.policyWritten).toEqual({ file, version: expectedVersion });
    expect(out.text()).toContain(`Try it: vigie rescore --dry-run --policy ${file}`);
    expect(out.text()).toMatch(/insult\s+> 0\.5500\s+\(now 0\.9\d*\)/);

    await expect(runEvalFromDecisions({ db: t.db, env, logger: silentLogger(), ...io(), writePolicy: file })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/already exists/),
    });
  });

  it('says when there is not enough data, and rejects a bad date', async () => {
    const result = await runEvalFromDecisions({ db: t.db, env, logger: silentLogger(), ...io(), targetPrecision: 0.99 });
    expect(result.suggestions.filter((s) => s.language === 'default' && s.label === 'insult')).toEqual([]);
    expect(result.insufficient.join('\n')).toMatch(/insult: no threshold reaches precision 0.99/);
    await expect(runEvalFromDecisions({ db: t.db, env, ...io(), since: 'last week' })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/invalid --since "last week"/),
    });
    const none = await runEvalFromDecisions({ db: t.db, env, logger: silentLogger(), ...io(), since: '2099-01-01' });
    expect(none.pairs).toBe(0);
  });
});
