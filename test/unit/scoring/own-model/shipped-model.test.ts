import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LABELS } from '../../../../src/domain/labels';
import { OwnModelScorer } from '../../../../src/scoring/own-model/scorer';
import { packageRoot as findPackageRoot } from '../../../../src/lib/package-root';

/**
 * The comments of /work/shared/seeds/001 (a French news site under an article about Mali):
 * three insults and a threat must be flagged, the neutral lines must not. "Flagged" means
 * toxicity above the calibrated French review threshold of models/policy.calibrated.json
 * (the policy flags score > threshold). The specific labels are only required to stand well
 * above the neutral lines: the calibrated French insult and threat thresholds are not reached
 * (see models/README.md, limitations).
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

  it('flags the seed insults as toxic, with a clearly raised insult score', async () => {
    const neutral = await scorer.score(NEUTRAL);
    const maxNeutralInsult = Math.max(...neutral.map((s) => s.insult as number));
    for (const s of await scorer.score(INSULTS)) {
      expect(s.toxicity).toBeGreaterThan(review.toxicity);
      expect(s.insult).toBeGreaterThan(0.4);
      expect(s.insult).toBeGreaterThan(maxNeutralInsult + 0.3);
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
