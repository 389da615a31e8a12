import { LABELS } from '../../domain/labels';
import { extractFeatures } from './features';
import type { OwnModelWeights } from './model-format';

const NUM_LABELS = LABELS.length;

/**
 * Plain TypeScript forward pass: mean and max pooling over the embedding rows of the text's
 * features, one ReLU layer, plus the wide (linear n-gram) logits summed and scaled by 1/√n,
 * sigmoid outputs. Mirrors buildForward() in src/training/tf-model.ts
 * exactly (a unit test holds them within 1e-4) but costs microseconds per text, with no tensor
 * allocation.
 */
export class OwnModelForward {
  private readonly pooled: Float64Array;
  private readonly hidden: Float64Array;
  private readonly wideSum = new Float64Array(NUM_LABELS);

  constructor(private readonly w: OwnModelWeights) {
    // Float64 scratch: no float32 rounding on every accumulation (and it is faster in V8).
    this.pooled = new Float64Array(2 * w.embeddingDim);
    this.hidden = new Float64Array(w.hiddenDim);
  }

  /** Writes the 7 probabilities (LABELS order) of one text into `out` at `outOffset`. */
  predictInto(text: string, out: Float32Array, outOffset: number): void {
    this.predictFeaturesInto(extractFeatures(text, this.w.featurizer), out, outOffset);
  }

  /**
   * The loops are blocked by four output values held in locals, so V8 keeps the accumulators in
   * registers instead of loading and storing a typed array element per feature. Each value is
   * still accumulated in the same order (features, then inputs, ascending): results are
   * bit-identical to the plain loops.
   */
  predictFeaturesInto(ids: Int32Array, out: Float32Array, outOffset: number): void {
    const { embeddingDim: dim, hiddenDim, dense2Kernel, dense2Bias } = this.w;
    const n = ids.length;
    this.poolInto(ids);
    const wideSum = this.wideSum;
    this.sumWideInto(ids);
    const pooled = this.pooled;
    const invSqrt = 1 / Math.sqrt(n);
    const inv = 1 / n;
    for (let d = 0; d < dim; d++) pooled[d] *= inv;
    this.denseReluInto(pooled);
    const hidden = this.hidden;
    for (let l = 0; l < NUM_LABELS; l++) {
      let z = dense2Bias[l] + wideSum[l] * invSqrt;
      for (let h = 0; h < hiddenDim; h++) z += hidden[h] * dense2Kernel[h * NUM_LABELS + l];
      out[outOffset + l] = 1 / (1 + Math.exp(-z));
    }
  }

  /** pooled = sum (not yet divided by n) ++ max of the embedding rows of `ids`. */
  private poolInto(ids: Int32Array): void {
    const { embedding, embeddingDim: dim } = this.w;
    const pooled = this.pooled;
    const n = ids.length;
    let d0 = 0;
    for (; d0 + 4 <= dim; d0 += 4) {
      let base = ids[0] * dim + d0;
      let s0 = embedding[base];
      let s1 = embedding[base + 1];
      let s2 = embedding[base + 2];
      let s3 = embedding[base + 3];
      let m0 = s0;
      let m1 = s1;
      let m2 = s2;
      let m3 = s3;
      for (let k = 1; k < n; k++) {
        base = ids[k] * dim + d0;
        const v0 = embedding[base];
        const v1 = embedding[base + 1];
        const v2 = embedding[base + 2];
        const v3 = embedding[base + 3];
        s0 += v0;
        s1 += v1;
        s2 += v2;
        s3 += v3;
        if (v0 > m0) m0 = v0;
        if (v1 > m1) m1 = v1;
        if (v2 > m2) m2 = v2;
        if (v3 > m3) m3 = v3;
      }
      pooled[d0] = s0;
      pooled[d0 + 1] = s1;
      pooled[d0 + 2] = s2;
      pooled[d0 + 3] = s3;
      pooled[dim + d0] = m0;
      pooled[dim + d0 + 1] = m1;
      pooled[dim + d0 + 2] = m2;
      pooled[dim + d0 + 3] = m3;
    }
    for (let d = d0; d < dim; d++) {
      let sum = embedding[ids[0] * dim + d];
      let max = sum;
      for (let k = 1; k < n; k++) {
        const v = embedding[ids[k] * dim + d];
        sum += v;
        if (v > max) max = v;
      }
      pooled[d] = sum;
      pooled[dim + d] = max;
    }
  }

  /** wideSum = the wide logits of `ids`, summed per label. */
  private sumWideInto(ids: Int32Array): void {
    const wide = this.w.wide;
    const wideSum = this.wideSum;
    const n = ids.length;
    let l0 = 0;
    for (; l0 + 4 <= NUM_LABELS; l0 += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < n; k++) {
        const base = ids[k] * NUM_LABELS + l0;
        s0 += wide[base];
        s1 += wide[base + 1];
        s2 += wide[base + 2];
        s3 += wide[base + 3];
      }
      wideSum[l0] = s0;
      wideSum[l0 + 1] = s1;
      wideSum[l0 + 2] = s2;
      wideSum[l0 + 3] = s3;
    }
    for (let l = l0; l < NUM_LABELS; l++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += wide[ids[k] * NUM_LABELS + l];
      wideSum[l] = sum;
    }
  }

  /** hidden = relu(dense1Bias + input · dense1Kernel); zero inputs are skipped. */
  private denseReluInto(input: Float64Array): void {
    const { hiddenDim, dense1Kernel, dense1Bias } = this.w;
    const hidden = this.hidden;
    const inputs = input.length;
    let h0 = 0;
    for (; h0 + 4 <= hiddenDim; h0 += 4) {
      let a0 = dense1Bias[h0];
      let a1 = dense1Bias[h0 + 1];
      let a2 = dense1Bias[h0 + 2];
      let a3 = dense1Bias[h0 + 3];
      for (let i = 0; i < inputs; i++) {
        const x = input[i];
        if (x === 0) continue;
        const row = i * hiddenDim + h0;
        a0 += x * dense1Kernel[row];
        a1 += x * dense1Kernel[row + 1];
        a2 += x * dense1Kernel[row + 2];
        a3 += x * dense1Kernel[row + 3];
      }
      hidden[h0] = a0 < 0 ? 0 : a0;
      hidden[h0 + 1] = a1 < 0 ? 0 : a1;
      hidden[h0 + 2] = a2 < 0 ? 0 : a2;
      hidden[h0 + 3] = a3 < 0 ? 0 : a3;
    }
    for (let h = h0; h < hiddenDim; h++) {
      let a = dense1Bias[h];
      for (let i = 0; i < inputs; i++) {
        const x = input[i];
        if (x !== 0) a += x * dense1Kernel[i * hiddenDim + h];
      }
      hidden[h] = a < 0 ? 0 : a;
    }
  }
}
