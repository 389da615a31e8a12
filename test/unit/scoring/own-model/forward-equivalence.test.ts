import * as tf from '@tensorflow/tfjs';
import { LABELS } from '../../../../src/domain/labels';
import { DEFAULT_FEATURIZER } from '../../../../src/scoring/own-model/features';
import { dequantizeRows, quantizeRows, type OwnModelWeights } from '../../../../src/scoring/own-model/model-format';
import { OwnModelScorer } from '../../../../src/scoring/own-model/scorer';
import { disposeParams, paramsFromWeights, predictWithTf } from '../../../../src/training/tf-model';
import { OwnModelForward } from '../../../../src/scoring/own-model/forward';
import { createRng } from '../../../../src/training/rng';

const SAMPLES = [
  'Espèce de sous-doué, retourne à l’école.',
  'Merci pour cet article très complet sur la situation au Mali.',
  'You are a pathetic idiot and everyone knows it.',
  'The council approved the new budget on Tuesday.',
  'T’es qu’un c0nnard, je vais te retrouver.',
  '',
  '😀😀😀',
  'Les migrants sont des êtres humains comme les autres. '.repeat(40),
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomWeights(): OwnModelWeights {
  const rng = createRng(3);
  const r = (n: number, s: number): Float32Array => Float32Array.from({ length: n }, () => (rng() - 0.5) * s);
  const featurizer = { ...DEFAULT_FEATURIZER, buckets: 2048 };
  return {
    featurizer,
    embeddingDim: 8,
    hiddenDim: 12,
    embedding: r(2048 * 8, 1),
    wide: r(2048 * LABELS.length, 1),
    dense1Kernel: r(16 * 12, 1),
    dense1Bias: r(12, 0.2),
    dense2Kernel: r(12 * LABELS.length, 1),
    dense2Bias: r(LABELS.length, 0.2),
  };
}

async function expectSameAsTf(weights: OwnModelWeights, predict: (texts: string[]) => Float32Array): Promise<void> {
  const params = paramsFromWeights(tf, weights);
  try {
    const reference = await predictWithTf(tf, params, weights.featurizer, SAMPLES);
    const ours = predict(SAMPLES);
    expect(ours.length).toBe(SAMPLES.length * LABELS.length);
    for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - reference[i])).toBeLessThan(1e-4);
  } finally {
    disposeParams(params);
  }
}

describe('TypeScript forward pass', () => {
  it('equals the TF.js graph on random weights', async () => {
    const w = randomWeights();
    const fwd = new OwnModelForward(w);
    await expectSameAsTf(w, (texts) => {
      const out = new Float32Array(texts.length * LABELS.length);
      texts.forEach((t, i) => fwd.predictInto(t, out, i * LABELS.length));
      return out;
    });
  });

  it('equals the TF.js graph on the shipped model', async () => {
    const scorer = await OwnModelScorer.load();
    await expectSameAsTf(scorer.weights, (texts) => scorer.predict(texts));
  });

  it('int8 row quantisation stays within half a step of each value', () => {
    const values = Float32Array.from([0.5, -0.25, 0.001, 0, 0, 0, -1.5, 0.75]);
    const { q, scales } = quantizeRows(values, 2, 4);
    const back = dequantizeRows(q, scales, 2, 4);
    for (let i = 0; i < values.length; i++) expect(Math.abs(back[i] - values[i])).toBeLessThanOrEqual(scales[Math.floor(i / 4)] / 2 + 1e-9);
    expect([back[4], back[5]]).toEqual([0, 0]);
    expect(back[6]).toBeCloseTo(-1.5, 6);
  });
});
