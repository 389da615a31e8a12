import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LABELS } from '../../../src/domain/labels';
import { silentLogger } from '../../../src/lib/logger';
import { OwnModelScorer } from '../../../src/scoring/own-model/scorer';
import { runTraining } from '../../../src/training/run-training';
import { packageRoot as findPackageRoot } from '../../../src/lib/package-root';

const AUTHORED = path.join(findPackageRoot(), 'models', 'data', 'authored-fr.jsonl');

/** A datasets folder in the shared layout, built from the project's authored examples (~200 rows). */
async function makeTinyDatasets(dir: string): Promise<void> {
  const rows = (await fs.readFile(AUTHORED, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; labels: { toxicity?: number } });
  const csvField = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const fr = rows.map((r, i) => `msg${i},${csvField(r.text)},${r.labels.toxicity === 1 ? 1 : 0}`);
  await fs.mkdir(path.join(dir, 'fr', 'toxifrench-dev'), { recursive: true });
  await fs.writeFile(path.join(dir, 'fr', 'toxifrench-dev', 'toxifrench_dev.csv'), ['msg_id,content,label', ...fr].join('\n') + '\n');
  const en = [
    ['you are a pathetic idiot', 'Toxic'],
    ['shut up, moron', 'Toxic'],
    ['I will find you and hurt you', 'Toxic'],
    ['thanks for the clear article', 'Not Toxic'],
    ['the council voted on the budget yesterday', 'Not Toxic'],
    ['I disagree with the mayor on this', 'Not Toxic'],
  ];
  await fs.mkdir(path.join(dir, 'en', 'surge-toxicity'), { recursive: true });
  await fs.writeFile(
    path.join(dir, 'en', 'surge-toxicity', 'toxicity_en.csv'),
    ['text,is_toxic', ...Array.from({ length: 5 }, () => en.map(([t, l]) => `${csvField(t)},${l}`)).flat()].join('\n') + '\n',
  );
}

describe('vigie train on a tiny subset', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vigie-train-'));
    await makeTinyDatasets(path.join(tmp, 'datasets'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const train = (out: string) =>
    runTraining({
      datasetsDir: path.join(tmp, 'datasets'),
      outDir: path.join(tmp, out),
      authoredFiles: [AUTHORED],
      seed: 7,
      epochs: 1,
      limit: 100,
      policyOut: path.join(tmp, out, 'policy.calibrated.json'),
      backend: 'cpu',
      featurizer: { buckets: 4096 },
      train: { embeddingDim: 8, hiddenDim: 16, batchSize: 64 },
      logger: silentLogger(),
    });

  it('writes a loadable model with valid probabilities, identical across runs with the same seed', async () => {
    const first = await train('a');
    const second = await train('b');
    expect(first.metadata.version).toBe(second.metadata.version);
    const [wa, wb] = await Promise.all(['a', 'b'].map((d) => fs.readFile(path.join(tmp, d, 'weights.bin'))));
    expect(wa.equals(wb)).toBe(true);

    const scorer = await OwnModelScorer.load(path.join(tmp, 'a'));
    expect(scorer.name).toBe('vigie-fr-en');
    expect(scorer.version).toBe(first.metadata.version);
    expect(scorer.labels).toEqual(LABELS);
    const texts = ['Espèce d’abruti, tais-toi.', 'Merci pour cet article.', ''];
    const scores = await scorer.score(texts);
    expect(scores).toHaveLength(3);
    for (const s of scores) {
      expect(Object.keys(s).sort()).toEqual([...LABELS].sort());
      for (const v of Object.values(s)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    const again = await (await OwnModelScorer.load(path.join(tmp, 'b'))).score(texts);
    expect(again).toEqual(scores);

    const policy = JSON.parse(await fs.readFile(path.join(tmp, 'a', 'policy.calibrated.json'), 'utf8'));
    expect(Object.keys(policy.thresholds).sort()).toEqual(['default', 'en', 'fr', 'other']);
    for (const label of LABELS) expect(policy.thresholds.default.review[label]).toBeLessThanOrEqual(policy.thresholds.default.reject[label]);
    expect(first.dev['fr-toxifrench']).toBeDefined();
  });
});
