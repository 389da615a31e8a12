import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../../src/lib/logger';
import { initTfjsBackend, type Tfjs } from '../../../../src/scoring/tfjs-backend';
import { loadToxicityModel } from '../../../../src/scoring/toxicity/loader';
import { encodeBatch, TfjsToxicityScorer, TOXICITY_LABELS } from '../../../../src/scoring/toxicity/scorer';
import { writeMiniToxicityModel } from '../../../fixtures-gen/make-mini-toxicity-model';

const TEXTS = [
  'hello world',
  'you are an idiot',
  'thanks for the article',
  'you stupid moron!',
  '',
  'a nice person, you are',
];

let dir: string;
let tf: Tfjs;
let scorer: TfjsToxicityScorer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigie-mini-toxicity-'));
  writeMiniToxicityModel(path.join(dir, 'model'));
  tf = (await initTfjsBackend()).tf;
  scorer = await loadToxicityModel({ modelDir: path.join(dir, 'model'), dataDir: dir, logger: silentLogger(), tf });
});

afterAll(async () => {
  await scorer?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('encodeBatch', () => {
  it('lays out ids and [sentence, token] pairs like classify()', () => {
    const tokenizer = { encode: (text: string) => Array.from(text, (ch) => ch.charCodeAt(0)) };
    const { ids, positions } = encodeBatch(tokenizer, ['ab', 'c']);
    expect(Array.from(ids)).toEqual([97, 98, 99]);
    expect(Array.from(positions)).toEqual([0, 0, 0, 1, 1, 0]);
  });
});

describe('TfjsToxicityScorer on the miniature model', () => {
  it('scores every label of every text with a probability', async () => {
    const scores = await scorer.score(TEXTS);
    expect(scores).toHaveLength(TEXTS.length);
    for (const score of scores) {
      expect(Object.keys(score).sort()).toEqual([...TOXICITY_LABELS].sort());
      for (const value of Object.values(score)) {
        expect(value).toBeGreaterThan(0);
        expect(value).toBeLessThan(1);
      }
    }
  });

  it('scores insults above neutral text, so ids reach the model in order', async () => {
    const [neutral, insult, , doubleInsult] = await scorer.score(TEXTS);
    expect(insult.insult!).toBeGreaterThan(neutral.insult! + 0.2);
    expect(doubleInsult.toxicity!).toBeGreaterThan(neutral.toxicity! + 0.2);
  });

  it('is deterministic', async () => {
    expect(await scorer.score(TEXTS)).toEqual(await scorer.score(TEXTS));
  });

  it('gives the same scores batched as one by one', async () => {
    const batched = await scorer.score(TEXTS);
    for (const [i, text] of TEXTS.entries()) {
      const [single] = await scorer.score([text]);
      for (const label of TOXICITY_LABELS) expect(single[label]).toBeCloseTo(batched[i][label]!, 6);
    }
  });

  it('returns nothing for no texts without calling the model', async () => {
    expect(await scorer.score([])).toEqual([]);
  });

  it('leaks no tensor over 100 batches', async () => {
    await scorer.score(TEXTS);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await scorer.score(TEXTS.map((text) => `${text} ${i}`));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports its name, labels and a version taken from model.json', () => {
    expect(scorer.name).toBe('toxicity');
    expect(scorer.labels).toEqual(TOXICITY_LABELS);
    expect(scorer.version).toMatch(/^[0-9a-f]{12}$/);
  });
});
