import type * as tfTypes from '@tensorflow/tfjs';
import { LABELS } from '../domain/labels';
import { extractFeatures, type FeaturizerConfig } from '../scoring/own-model/features';
import type { OwnModelWeights } from '../scoring/own-model/model-format';

type Tf = typeof tfTypes;

export interface DenseParams {
  dense1Kernel: tfTypes.Variable;
  dense1Bias: tfTypes.Variable;
  dense2Kernel: tfTypes.Variable;
  dense2Bias: tfTypes.Variable;
}

export interface TfParams extends DenseParams {
  embedding: tfTypes.Variable;
  wide: tfTypes.Variable;
}

/** Pooling input padded to a common width: `rows` [size, width, dim], padding rows at -1e9 (never a max) with mean weight 0. */
export interface RowBatch {
  rows: Float32Array;
  /** 1/n for real positions, 0 for padding. */
  meanWeights: Float32Array;
  /** [size, width, labels] wide rows, padding 0. */
  wideRows: Float32Array;
  /** 1/√n for real positions, 0 for padding. */
  sqrtWeights: Float32Array;
  size: number;
  width: number;
}

export const PAD_VALUE = -1e9;

/** Copies the embedding rows of each text's features into a padded batch. */
export function gatherRows(embedding: Float32Array, wide: Float32Array, dim: number, featureLists: readonly Int32Array[]): RowBatch {
  const size = featureLists.length;
  const L = LABELS.length;
  let width = 1;
  for (const f of featureLists) width = Math.max(width, f.length);
  const rows = new Float32Array(size * width * dim).fill(PAD_VALUE);
  const meanWeights = new Float32Array(size * width);
  const wideRows = new Float32Array(size * width * L);
  const sqrtWeights = new Float32Array(size * width);
  featureLists.forEach((f, r) => {
    const inv = 1 / f.length;
    const invSqrt = 1 / Math.sqrt(f.length);
    for (let k = 0; k < f.length; k++) {
      rows.set(embedding.subarray(f[k] * dim, f[k] * dim + dim), (r * width + k) * dim);
      wideRows.set(wide.subarray(f[k] * L, f[k] * L + L), (r * width + k) * L);
      meanWeights[r * width + k] = inv;
      sqrtWeights[r * width + k] = invSqrt;
    }
  });
  return { rows, meanWeights, wideRows, sqrtWeights, size, width };
}

/**
 * The network above the embedding lookup: mean ++ max pooling, ReLU layer, plus the wide rows
 * summed with weight 1/√n; logits [size, labels].
 */
export function headLogits(
  tf: Tf,
  p: DenseParams,
  rows: tfTypes.Tensor3D,
  meanWeights: tfTypes.Tensor3D,
  wideRows: tfTypes.Tensor3D,
  sqrtWeights: tfTypes.Tensor3D,
): tfTypes.Tensor2D {
  return tf.tidy(() => {
    const wideLogits = tf.sum(tf.mul(wideRows, sqrtWeights), 1);
    const mean = tf.sum(tf.mul(rows, meanWeights), 1);
    const max = tf.max(rows, 1);
    const pooled = tf.concat([mean, max], 1);
    const hidden = tf.relu(tf.add(tf.matMul(pooled, p.dense1Kernel), p.dense1Bias));
    return tf.add(tf.add(tf.matMul(hidden, p.dense2Kernel), p.dense2Bias), wideLogits) as tfTypes.Tensor2D;
  });
}

/**
 * Logits of one text with TF.js ops end to end (tf.gather on the embedding variable); the
 * reference the TypeScript forward pass (OwnModelForward) must match.
 */
export function forwardLogitsOne(tf: Tf, p: TfParams, ids: Int32Array): tfTypes.Tensor2D {
  return tf.tidy(() => {
    const dim = p.embedding.shape[1] as number;
    const idx = tf.tensor1d(ids, 'int32');
    const rows = tf.gather(p.embedding, idx).reshape([1, ids.length, dim]) as tfTypes.Tensor3D;
    const wideRows = tf.gather(p.wide, idx).reshape([1, ids.length, LABELS.length]) as tfTypes.Tensor3D;
    const w = tf.fill([1, ids.length, 1], 1 / ids.length) as tfTypes.Tensor3D;
    const ws = tf.fill([1, ids.length, 1], 1 / Math.sqrt(ids.length)) as tfTypes.Tensor3D;
    return headLogits(tf, p, rows, w, wideRows, ws);
  });
}

/** Seeded initial weights: embedding N(0, 0.05), Glorot-uniform dense kernels, output bias -1. */
export function createDenseParams(tf: Tf, opts: { embeddingDim: number; hiddenDim: number; seed: number }): DenseParams {
  const { embeddingDim: d, hiddenDim: h, seed } = opts;
  const glorot = (fanIn: number, fanOut: number, s: number): tfTypes.Tensor =>
    tf.randomUniform([fanIn, fanOut], -Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut)), 'float32', s);
  return {
    dense1Kernel: tf.variable(glorot(2 * d, h, seed + 1), true, 'dense1_kernel'),
    dense1Bias: tf.variable(tf.zeros([h]), true, 'dense1_bias'),
    dense2Kernel: tf.variable(glorot(h, LABELS.length, seed + 2), true, 'dense2_kernel'),
    dense2Bias: tf.variable(tf.fill([LABELS.length], -1), true, 'dense2_bias'),
  };
}

export function paramsFromWeights(tf: Tf, w: OwnModelWeights): TfParams {
  const d = w.embeddingDim;
  const h = w.hiddenDim;
  return {
    embedding: tf.variable(tf.tensor2d(w.embedding, [w.featurizer.buckets, d]), false),
    wide: tf.variable(tf.tensor2d(w.wide, [w.featurizer.buckets, LABELS.length]), false),
    dense1Kernel: tf.variable(tf.tensor2d(w.dense1Kernel, [2 * d, h]), false),
    dense1Bias: tf.variable(tf.tensor1d(w.dense1Bias), false),
    dense2Kernel: tf.variable(tf.tensor2d(w.dense2Kernel, [h, LABELS.length]), false),
    dense2Bias: tf.variable(tf.tensor1d(w.dense2Bias), false),
  };
}

export async function weightsFromParams(
  p: DenseParams,
  embedding: Float32Array,
  wide: Float32Array,
  featurizer: FeaturizerConfig,
): Promise<OwnModelWeights> {
  const [d2, h] = p.dense1Kernel.shape as [number, number];
  return {
    featurizer,
    embeddingDim: d2 / 2,
    hiddenDim: h,
    embedding,
    wide,
    dense1Kernel: (await p.dense1Kernel.data()) as Float32Array,
    dense1Bias: (await p.dense1Bias.data()) as Float32Array,
    dense2Kernel: (await p.dense2Kernel.data()) as Float32Array,
    dense2Bias: (await p.dense2Bias.data()) as Float32Array,
  };
}

export function disposeParams(p: DenseParams): void {
  Object.values(p).forEach((v: tfTypes.Variable) => v.dispose());
}

/** Probabilities with TF.js, texts × LABELS, one text at a time (no padding involved). */
export async function predictWithTf(tf: Tf, p: TfParams, featurizer: FeaturizerConfig, texts: readonly string[]): Promise<Float32Array> {
  const out = new Float32Array(texts.length * LABELS.length);
  for (let i = 0; i < texts.length; i++) {
    const probs = tf.tidy(() => tf.sigmoid(forwardLogitsOne(tf, p, extractFeatures(texts[i], featurizer))));
    out.set((await probs.data()) as Float32Array, i * LABELS.length);
    probs.dispose();
  }
  return out;
}
