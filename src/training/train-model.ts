import type * as tfTypes from '@tensorflow/tfjs';
import { LABELS } from '../domain/labels';
import { extractFeatures, type FeaturizerConfig } from '../scoring/own-model/features';
import type { OwnModelWeights } from '../scoring/own-model/model-format';
import type { Example } from './example';
import { createRng, shuffleInPlace } from './rng';
import { createDenseParams, disposeParams, gatherRows, headLogits, weightsFromParams } from './tf-model';

type Tf = typeof tfTypes;

export interface TrainOptions {
  featurizer: FeaturizerConfig;
  embeddingDim: number;
  hiddenDim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Update rule of the embedding rows (the dense layers always use Adam). */
  embeddingOptimizer: 'adam' | 'adagrad';
  embeddingLearningRate: number;
  wideLearningRate: number;
  seed: number;
  /** Probability of dropping each feature of a training text per epoch (robustness to unseen words). */
  featureDropout: number;
  /** Multiplies the weight of French examples (French is the scarce language). */
  frenchWeight: number;
  /** `snapshot` copies the current weights (for per-epoch development scores). */
  onEpoch?: (info: { epoch: number; loss: number; seconds: number; snapshot: () => Promise<OwnModelWeights> }) => void | Promise<void>;
  onStep?: (info: { epoch: number; step: number; steps: number; loss: number }) => void;
}

export const DEFAULT_TRAIN_OPTIONS: Omit<TrainOptions, 'featurizer'> = {
  embeddingDim: 32,
  hiddenDim: 64,
  epochs: 2,
  batchSize: 128,
  learningRate: 0.004,
  embeddingOptimizer: 'adam',
  embeddingLearningRate: 0.004,
  wideLearningRate: 0.004,
  seed: 20261123,
  featureDropout: 0.1,
  frenchWeight: 2,
};

/**
 * Trains the embedding-bag model: TF.js computes the forward pass and all gradients (masked,
 * weighted sigmoid cross-entropy — labels a source does not annotate contribute nothing) and
 * Adam-updates the dense layers; the embedding table lives in a Float32Array and gets a lazy
 * (sparse) Adam update of the rows a batch touched, because tfjs has no sparse gradients and its
 * gather gradient on the CPU backend costs rows × indices.
 */
export async function trainModel(tf: Tf, examples: readonly Example[], opts: TrainOptions): Promise<OwnModelWeights> {
  const dim = opts.embeddingDim;
  const L = LABELS.length;
  const features = examples.map((ex) => extractFeatures(ex.text, opts.featurizer));
  const rng = createRng(opts.seed);
  const embedding = new SparseTable(opts.featurizer.buckets, dim, opts.embeddingOptimizer, opts.embeddingLearningRate, rng, 0.05);
  const wide = new SparseTable(opts.featurizer.buckets, L, opts.embeddingOptimizer, opts.wideLearningRate, rng, 0);
  const dense = createDenseParams(tf, { embeddingDim: dim, hiddenDim: opts.hiddenDim, seed: opts.seed });
  const denseVars = [dense.dense1Kernel, dense.dense1Bias, dense.dense2Kernel, dense.dense2Bias];
  const optimizer = tf.train.adam(opts.learningRate);
  const order = examples.map((_, i) => i);
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const started = Date.now();
      const plan = planBatches(order, features, opts.batchSize, rng);
      let lossSum = 0;
      let batches = 0;
      const steps = plan.length;
      for (const idx of plan) {
        const lists = idx.map((i) => dropFeatures(features[i], opts.featureDropout, rng));
        const batch = gatherRows(embedding.values, wide.values, dim, lists);
        const targets = new Float32Array(idx.length * L);
        const weights = new Float32Array(idx.length * L);
        idx.forEach((i, r) => {
          const ex = examples[i];
          const w = ex.weight * (ex.lang === 'fr' ? opts.frenchWeight : 1);
          for (let l = 0; l < L; l++) {
            targets[r * L + l] = ex.targets[l];
            weights[r * L + l] = ex.mask[l] * w;
          }
        });
        // The variable shares the initial tensor's data; both must be disposed.
        const rowsInit = tf.tensor3d(batch.rows, [batch.size, batch.width, dim]);
        const rows = tf.variable(rowsInit, true);
        const wideInit = tf.tensor3d(batch.wideRows, [batch.size, batch.width, L]);
        const wideRows = tf.variable(wideInit, true);
        const { value, grads } = tf.tidy(() => {
          const y = tf.tensor2d(targets, [idx.length, L]);
          const w = tf.tensor2d(weights, [idx.length, L]);
          const mw = tf.tensor3d(batch.meanWeights, [batch.size, batch.width, 1]);
          const sw = tf.tensor3d(batch.sqrtWeights, [batch.size, batch.width, 1]);
          const total = tf.sum(w).maximum(1e-6);
          return tf.variableGrads(() => {
            const z = headLogits(tf, dense, rows as unknown as tfTypes.Tensor3D, mw, wideRows as unknown as tfTypes.Tensor3D, sw);
            // Stable BCE with logits: max(z,0) - z*y + log(1 + exp(-|z|)).
            const bce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
            return tf.div(tf.sum(tf.mul(bce, w)), total) as tfTypes.Scalar;
          }, [rows, wideRows, ...denseVars]);
        });
        const rowGrads = (await grads[rows.name].data()) as Float32Array;
        embedding.step(lists, batch.width, rowGrads);
        wide.step(lists, batch.width, (await grads[wideRows.name].data()) as Float32Array);
        optimizer.applyGradients(denseVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
        const loss = (await value.data())[0];
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
        rows.dispose();
        rowsInit.dispose();
        wideRows.dispose();
        wideInit.dispose();
        lossSum += loss;
        batches++;
        opts.onStep?.({ epoch, step: batches, steps, loss });
        // tensor.data() resolves on microtasks: yield now and then so log writes and signals get through.
        if (batches % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await opts.onEpoch?.({
        epoch,
        loss: lossSum / Math.max(1, batches),
        seconds: (Date.now() - started) / 1000,
        snapshot: () => weightsFromParams(dense, Float32Array.from(embedding.values), Float32Array.from(wide.values), opts.featurizer),
      });
    }
    return await weightsFromParams(dense, embedding.values, wide.values, opts.featurizer);
  } finally {
    optimizer.dispose();
    disposeParams(dense);
  }
}

/** Embedding table with lazy Adam or Adagrad: only rows present in a batch are updated. */
class SparseTable {
  readonly values: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  private readonly beta1 = 0.9;
  private readonly beta2 = 0.999;
  private readonly eps = 1e-7;

  constructor(
    rows: number,
    private readonly dim: number,
    private readonly rule: 'adam' | 'adagrad',
    private readonly lr: number,
    rng: () => number,
    initStd: number,
  ) {
    this.values = new Float32Array(rows * dim);
    for (let i = 0; i < this.values.length && initStd > 0; i += 2) {
      // Box–Muller from the seeded generator: N(0, initStd).
      const u = Math.max(rng(), 1e-12);
      const r = Math.sqrt(-2 * Math.log(u)) * initStd;
      const a = 2 * Math.PI * rng();
      this.values[i] = r * Math.cos(a);
      if (i + 1 < this.values.length) this.values[i + 1] = r * Math.sin(a);
    }
    this.m = new Float32Array(rows * dim);
    this.v = new Float32Array(rows * dim);
  }

  /** Sums the per-position gradients into per-row gradients, then one Adam step per touched row. */
  step(lists: readonly Int32Array[], width: number, rowGrads: Float32Array): void {
    const dim = this.dim;
    const acc = new Map<number, Float32Array>();
    lists.forEach((ids, r) => {
      for (let k = 0; k < ids.length; k++) {
        let g = acc.get(ids[k]);
        if (!g) {
          g = new Float32Array(dim);
          acc.set(ids[k], g);
        }
        const base = (r * width + k) * dim;
        for (let d = 0; d < dim; d++) g[d] += rowGrads[base + d];
      }
    });
    this.t++;
    const c1 = 1 - Math.pow(this.beta1, this.t);
    const c2 = 1 - Math.pow(this.beta2, this.t);
    if (this.rule === 'adagrad') {
      for (const [id, g] of acc) {
        const base = id * dim;
        for (let d = 0; d < dim; d++) {
          const v = (this.v[base + d] += g[d] * g[d]);
          this.values[base + d] -= (this.lr * g[d]) / (Math.sqrt(v) + this.eps);
        }
      }
      return;
    }
    for (const [id, g] of acc) {
      const base = id * dim;
      for (let d = 0; d < dim; d++) {
        const m = (this.m[base + d] = this.beta1 * this.m[base + d] + (1 - this.beta1) * g[d]);
        const v = (this.v[base + d] = this.beta2 * this.v[base + d] + (1 - this.beta2) * g[d] * g[d]);
        this.values[base + d] -= (this.lr * (m / c1)) / (Math.sqrt(v / c2) + this.eps);
      }
    }
  }
}

/**
 * Shuffled batches of similar-length texts (sorted inside windows of 32 batches), so padding
 * to the longest text of a batch wastes little work.
 */
function planBatches(order: number[], features: readonly Int32Array[], batchSize: number, rng: () => number): number[][] {
  shuffleInPlace(order, rng);
  const window = batchSize * 32;
  const batches: number[][] = [];
  for (let w = 0; w < order.length; w += window) {
    const chunk = order.slice(w, w + window).sort((a, b) => features[a].length - features[b].length || a - b);
    for (let s = 0; s < chunk.length; s += batchSize) batches.push(chunk.slice(s, s + batchSize));
  }
  return shuffleInPlace(batches, rng);
}

function dropFeatures(ids: Int32Array, rate: number, rng: () => number): Int32Array {
  if (rate <= 0 || ids.length < 3) return ids;
  const kept: number[] = [];
  for (let k = 0; k < ids.length; k++) if (rng() >= rate) kept.push(ids[k]);
  return kept.length > 0 ? Int32Array.from(kept) : ids;
}
