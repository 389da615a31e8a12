import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LABELS } from '../../../../src/domain/labels';
import { createScoringEngine } from '../../../../src/scoring/engine';
import { LexiconScorer } from '../../../../src/scoring/lexicon/lexicon.scorer';
import { OwnModelScorer } from '../../../../src/scoring/own-model/scorer';
import { loadPolicy } from '../../../../src/triage/policy';
import { packageRoot as findPackageRoot } from '../../../../src/lib/package-root';

/**
 * The comments of /work/shared/seeds/001 (a French news site under an article about Mali):
 * three insults and a threat must be flagged, the neutral lines must not. With the default
 * scorers (own model + word lists) and the shipped policy that is the product's decision. The
 * model on its own must rank every insult and the threat far above the neutral lines; two of the
 * mild insults sit just under its calibrated French review threshold (models/README.md, limits).
 */
const INSULTS = [
  'A ton avis, petit sous-développé, pendant ce temps, le niveau de vie des français a été divisé par combien ?',
  'Le monument d’humour glauque, c’est le discours de ce sous-débile de Barrot, le sociopathe de service !',
  'Retournez à l’école … on y apprend des choses, bande de charlots.',
];
const THREAT = 'La terre du Mali boira le sang de vos terroristes et de celui de leurs instructeurs, mercenaires ukrainiens incapables de défendre leur propre pays.';
const NEUTRAL = [
  'Ce qui se passe au Mali est dramatique.',
  'C’est de l’humour … russe, le genre qu’on entend à l’entracte au Bolchoï, si tu connais 😉 ou pas',
];

describe('shipped vigie-fr-en model', () => {
  let scorer: OwnModelScorer;
  let review: Record<string, number>;

  beforeAll(async () => {
    scorer = await OwnModelScorer.load();
    const policy = JSON.parse(await fs.readFile(path.join(findPackageRoot(), 'models', 'policy.calibrated.json'), 'utf8'));
    review = { ...policy.thresholds.default.review, ...policy.thresholds.fr.review };
  });

  it('loads from the package root with its metadata', () => {
    expect(scorer.name).toBe('vigie-fr-en');
    expect(scorer.version).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
    expect(scorer.labels).toEqual(LABELS);
  });

  it('with the word lists and the shipped policy, sends the seed insults and threat to moderators and approves the neutral lines', async () => {
    const engine = createScoringEngine({ scorers: [scorer, new LexiconScorer()], policy: loadPolicy() });
    const results = await engine.scoreTexts([...INSULTS, THREAT, ...NEUTRAL].map((text) => ({ text })));
    expect(results.map((r) => r.decision)).toEqual([...INSULTS, THREAT].map(() => 'review').concat(NEUTRAL.map(() => 'approve')));
    for (const r of results.slice(0, INSULTS.length + 1)) expect(r.reasons.map((reason) => reason.code)).toContain('threshold_review');
  });

  it('ranks the seed insults far above the neutral lines, on toxicity and insult', async () => {
    const neutral = await scorer.score(NEUTRAL);
    const maxNeutral = (label: string): number => Math.max(...neutral.map((s) => s[label as keyof typeof s] as number));
    for (const s of await scorer.score(INSULTS)) {
      expect(s.toxicity).toBeGreaterThan(0.5);
      expect(s.toxicity).toBeGreaterThan(maxNeutral('toxicity') + 0.3);
      expect(s.insult).toBeGreaterThan(maxNeutral('insult') + 0.3);
    }
  });

  it('flags the seed threat as toxic, with a threat score above the neutral lines', async () => {
    const [s] = await scorer.score([THREAT]);
    const neutral = await scorer.score(NEUTRAL);
    expect(s.toxicity).toBeGreaterThan(review.toxicity);
    for (const n of neutral) expect(s.threat).toBeGreaterThan(5 * (n.threat as number));
  });

  it('does not flag the neutral seed lines on any label', async () => {
    for (const s of await scorer.score(NEUTRAL)) {
      for (const label of LABELS) expect(s[label]).toBeLessThanOrEqual(review[label]);
    }
  });

  it('is deterministic and returns probabilities for odd inputs', async () => {
    const odd = ['', '   ', '🙂'.repeat(500), 'x'.repeat(20000), 'a\u0000b'];
    const [a, b] = [await scorer.score(odd), await scorer.score(odd)];
    expect(a).toEqual(b);
    for (const s of a) for (const v of Object.values(s)) expect(v >= 0 && v <= 1).toBe(true);
  });
});
