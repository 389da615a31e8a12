import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LABELS } from '../../../src/domain/labels';
import { loadTrainingData, SOURCES } from '../../../src/training/datasets';
import { isHeldOut } from '../../../src/training/rng';

const idx = (label: string): number => (LABELS as readonly string[]).indexOf(label);

describe('training data', () => {
  it('splits by (seed, text), independently of row order', () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `commentaire numéro ${i}`);
    const held = texts.filter((t) => isHeldOut(t, 1, 0.5));
    expect(held.length).toBeGreaterThan(900);
    expect(held.length).toBeLessThan(1100);
    expect([...texts].reverse().filter((t) => isHeldOut(t, 1, 0.5)).reverse()).toEqual(held);
    expect(texts.filter((t) => isHeldOut(t, 2, 0.5))).not.toEqual(held);
  });

  it('masks labels a source does not annotate and makes clean texts negative for all labels', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigie-data-'));
    try {
      await fs.mkdir(path.join(dir, 'fr', 'mlma'), { recursive: true });
      await fs.writeFile(
        path.join(dir, 'fr', 'mlma', 'fr_dataset.csv'),
        'HITId,tweet,sentiment\n1,t es un mongol,offensive\n2,ils sont des rats,hateful_offensive\n3,beau temps,normal\n4,bof,abusive_normal\n',
      );
      const mlma = SOURCES.filter((s) => s.name === 'fr-mlma').map((s) => ({ ...s, devFraction: 0 }));
      const data = await loadTrainingData({ datasetsDir: dir, seed: 1, sources: mlma });
      expect(data.train.map((e) => e.text)).toEqual(['t es un mongol', 'ils sont des rats', 'beau temps']);
      const [offensive, hateful, normal] = data.train;
      expect(offensive.mask[idx('toxicity')]).toBe(1);
      expect(offensive.targets[idx('toxicity')]).toBe(1);
      expect(offensive.mask[idx('threat')]).toBe(0);
      expect(offensive.mask[idx('identity_attack')]).toBe(0);
      expect(hateful.targets[idx('identity_attack')]).toBe(1);
      expect(Array.from(normal.mask)).toEqual(LABELS.map(() => 1));
      expect(Array.from(normal.targets)).toEqual(LABELS.map(() => 0));
      expect(data.counts['fr-mlma']).toEqual({ train: 3, dev: 0, skipped: 1 });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('holds out a seeded share of the authored examples per language, never trained on', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigie-authored-'));
    try {
      const file = path.join(dir, 'authored.jsonl');
      const lines = Array.from({ length: 400 }, (_, i) =>
        JSON.stringify({ text: `${i % 2 ? 'phrase' : 'sentence'} ${i}`, lang: i % 2 ? 'fr' : 'en', labels: { toxicity: i % 3 ? 0 : 1 } }),
      );
      await fs.writeFile(file, lines.join('\n') + '\n');
      const data = await loadTrainingData({ datasetsDir: dir, seed: 7, sources: [], authoredFiles: [file], authoredDevFraction: 0.25 });
      const devTexts = [...data.dev['authored-fr'], ...data.dev['authored-en']].map((e) => e.text);
      expect(devTexts.length).toBeGreaterThan(60);
      expect(devTexts.length).toBeLessThan(140);
      expect(data.dev['authored-fr'].every((e) => e.lang === 'fr')).toBe(true);
      expect(data.train.some((e) => devTexts.includes(e.text))).toBe(false);
      expect(data.train.length + devTexts.length).toBe(400);
      expect(data.counts['authored-fr'].dev + data.counts['authored-en'].dev).toBe(devTexts.length);
      expect(data.counts['authored-fr'].train + data.counts['authored-en'].train).toBe(data.train.length);
      const again = await loadTrainingData({ datasetsDir: dir, seed: 7, sources: [], authoredFiles: [file], authoredDevFraction: 0.25 });
      expect(again.dev['authored-fr'].map((e) => e.text)).toEqual(data.dev['authored-fr'].map((e) => e.text));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
