import * as tf from '@tensorflow/tfjs';
import { LABELS } from '../../../../src/domain/labels';
import { DEFAULT_FEATURIZER, extractFeatures } from '../../../../src/scoring/own-model/features';
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

/** The forward pass as first written, one typed-array element at a time: the reference for the blocked loops. */
function plainForward(w: OwnModelWeights, ids: Int32Array): Float32Array {
  const { embedding, wide, embeddingDim: dim, hiddenDim, dense1Kernel, dense1Bias, dense2Kernel, dense2Bias } = w;
  const L = LABELS.length;
  const n = ids.length;
  const pooled = new Float64Array(2 * dim);
  for (let d = 0; d < dim; d++) pooled[d] = pooled[dim + d] = embedding[ids[0] * dim + d];
  for (let k = 1; k < n; k++) {
    for (let d = 0; d < dim; d++) {
      const v = embedding[ids[k] * dim + d];
      pooled[d] += v;
      if (v > pooled[dim + d]) pooled[dim + d] = v;
    }
  }
  const wideSum = new Float64Array(L);
  for (let k = 0; k < n; k++) for (let l = 0; l < L; l++) wideSum[l] += wide[ids[k] * L + l];
  for (let d = 0; d < dim; d++) pooled[d] *= 1 / n;
  const hidden = Float64Array.from(dense1Bias.subarray(0, hiddenDim));
  for (let i = 0; i < 2 * dim; i++) {
    if (pooled[i] === 0) continue;
    for (let h = 0; h < hiddenDim; h++) hidden[h] += pooled[i] * dense1Kernel[i * hiddenDim + h];
  }
  for (let h = 0; h < hiddenDim; h++) if (hidden[h] < 0) hidden[h] = 0;
  const out = new Float32Array(L);
  for (let l = 0; l < L; l++) {
    let z = dense2Bias[l] + wideSum[l] * (1 / Math.sqrt(n));
    for (let h = 0; h < hiddenDim; h++) z += hidden[h] * dense2Kernel[h * L + l];
    out[l] = 1 / (1 + Math.exp(-z));
  }
  return out;
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

  it('gives bit-identical outputs to the plain loops it replaced (shipped model, and sizes that are not multiples of 4)', async () => {
    const shipped = (await OwnModelScorer.load()).weights;
    const odd = { ...randomWeights(), embeddingDim: 6, hiddenDim: 10 };
    odd.embedding = odd.embedding.subarray(0, 2048 * 6);
    odd.dense1Kernel = odd.dense1Kernel.subarray(0, 12 * 10);
    odd.dense2Kernel = odd.dense2Kernel.subarray(0, 10 * LABELS.length);
    odd.dense1Bias = odd.dense1Bias.subarray(0, 10);
    const texts = [...SAMPLES, 'Je vais te tuer. Bonne journée !', 'SALE TRAÎTRE', 'x'.repeat(3000), 'mot '.repeat(900)];
    for (const weights of [shipped, odd]) {
      const fwd = new OwnModelForward(weights);
      for (const text of texts) {
        const ids = extractFeatures(text, weights.featurizer);
        const ours = new Float32Array(LABELS.length);
        fwd.predictFeaturesInto(ids, ours, 0);
        expect(Array.from(ours)).toEqual(Array.from(plainForward(weights, ids)));
      }
    }
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
