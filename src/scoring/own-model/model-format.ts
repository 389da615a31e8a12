import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LABELS } from '../../domain/labels';
import type { FeaturizerConfig } from './features';

export const MODEL_FORMAT = 'vigie-own-model/1';
export const METADATA_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

const tensorEntrySchema = z.object({
  name: z.enum(['embedding', 'wide', 'dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias']),
  shape: z.array(z.number().int().positive()),
  /** int8-rows: int8 values then one float32 scale per row; float32: plain little-endian. */
  encoding: z.enum(['int8-rows', 'float32']),
  offset: z.number().int().nonnegative(),
  byteLength: z.number().int().positive(),
});

export const modelMetadataSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  name: z.string().min(1),
  version: z.string().min(1),
  createdAt: z.string(),
  labels: z.array(z.enum(LABELS)).length(LABELS.length),
  featurizer: z.object({
    buckets: z.number().int().positive(),
    charNgramMin: z.number().int().positive(),
    charNgramMax: z.number().int().positive(),
    wordBigrams: z.boolean(),
    maxChars: z.number().int().positive(),
    maxFeatures: z.number().int().positive(),
  }),
  embeddingDim: z.number().int().positive(),
  hiddenDim: z.number().int().positive(),
  tensors: z.array(tensorEntrySchema),
  weightsSha256: z.string(),
  training: z.record(z.string(), z.unknown()).optional(),
});

export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

/** Float weights of the network, row-major, as used by both inference paths. */
export interface OwnModelWeights {
  featurizer: FeaturizerConfig;
  embeddingDim: number;
  hiddenDim: number;
  /** [buckets, embeddingDim], pooled (mean ++ max) into the MLP. */
  embedding: Float32Array;
  /** [buckets, labels]: per-feature logits summed (scaled by 1/√n) onto the output, a linear n-gram model alongside the MLP. */
  wide: Float32Array;
  /** [2 * embeddingDim, hiddenDim] (input = mean pooling ++ max pooling) */
  dense1Kernel: Float32Array;
  dense1Bias: Float32Array;
  /** [hiddenDim, labels] */
  dense2Kernel: Float32Array;
  dense2Bias: Float32Array;
}

/** Symmetric per-row int8 quantisation: 4× smaller than float32, error ≤ max|row|/254. */
export function quantizeRows(values: Float32Array, rows: number, cols: number): { q: Int8Array; scales: Float32Array } {
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[base + c]));
    const scale = max > 0 ? max / 127 : 1;
    scales[r] = scale;
    for (let c = 0; c < cols; c++) q[base + c] = Math.round(values[base + c] / scale);
  }
  return { q, scales };
}

export function dequantizeRows(q: Int8Array, scales: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = scales[r];
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = q[base + c] * s;
  }
  return out;
}

/** Replaces the embedding by its int8 round trip, so a model in memory equals the saved one. */
export function roundTripQuantized(weights: OwnModelWeights): OwnModelWeights {
  const rows = weights.featurizer.buckets;
  const e = quantizeRows(weights.embedding, rows, weights.embeddingDim);
  const w = quantizeRows(weights.wide, rows, LABELS.length);
  return {
    ...weights,
    embedding: dequantizeRows(e.q, e.scales, rows, weights.embeddingDim),
    wide: dequantizeRows(w.q, w.scales, rows, LABELS.length),
  };
}

export async function saveModel(
  dir: string,
  weights: OwnModelWeights,
  info: { name: string; createdAt: string; training?: Record<string, unknown> },
): Promise<ModelMetadata> {
  const { createHash } = await import('node:crypto');
  const rows = weights.featurizer.buckets;
  const { q, scales } = quantizeRows(weights.embedding, rows, weights.embeddingDim);
  const wq = quantizeRows(weights.wide, rows, LABELS.length);
  const parts: Buffer[] = [];
  const tensors: ModelMetadata['tensors'] = [];
  let offset = 0;
  const push = (entry: Omit<ModelMetadata['tensors'][number], 'offset' | 'byteLength'>, bufs: Buffer[]): void => {
    const byteLength = bufs.reduce((n, b) => n + b.length, 0);
    tensors.push({ ...entry, offset, byteLength });
    parts.push(...bufs);
    offset += byteLength;
    // Keep every tensor 4-byte aligned so float32 views need no copy.
    const pad = (4 - (offset % 4)) % 4;
    if (pad) {
      parts.push(Buffer.alloc(pad));
      offset += pad;
    }
  };
  const f32 = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  push({ name: 'embedding', shape: [rows, weights.embeddingDim], encoding: 'int8-rows' }, [
    Buffer.from(q.buffer, q.byteOffset, q.byteLength),
    f32(scales),
  ]);
  push({ name: 'wide', shape: [rows, LABELS.length], encoding: 'int8-rows' }, [
    Buffer.from(wq.q.buffer, wq.q.byteOffset, wq.q.byteLength),
    f32(wq.scales),
  ]);
  push({ name: 'dense1/kernel', shape: [2 * weights.embeddingDim, weights.hiddenDim], encoding: 'float32' }, [f32(weights.dense1Kernel)]);
  push({ name: 'dense1/bias', shape: [weights.hiddenDim], encoding: 'float32' }, [f32(weights.dense1Bias)]);
  push({ name: 'dense2/kernel', shape: [weights.hiddenDim, LABELS.length], encoding: 'float32' }, [f32(weights.dense2Kernel)]);
  push({ name: 'dense2/bias', shape: [LABELS.length], encoding: 'float32' }, [f32(weights.dense2Bias)]);
  const blob = Buffer.concat(parts);
  const sha = createHash('sha256').update(blob).digest('hex');
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    name: info.name,
    version: `${info.createdAt.slice(0, 10)}-${sha.slice(0, 8)}`,
    createdAt: info.createdAt,
    labels: [...LABELS],
    featurizer: { ...weights.featurizer },
    embeddingDim: weights.embeddingDim,
    hiddenDim: weights.hiddenDim,
    tensors,
    weightsSha256: sha,
    training: info.training,
  };
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, WEIGHTS_FILE), blob);
  await fs.writeFile(path.join(dir, METADATA_FILE), JSON.stringify(metadata, null, 2) + '\n');
  return metadata;
}

export async function readModel(dir: string): Promise<{ metadata: ModelMetadata; weights: OwnModelWeights }> {
  const metadata = modelMetadataSchema.parse(JSON.parse(await fs.readFile(path.join(dir, METADATA_FILE), 'utf8')));
  const blob = await fs.readFile(path.join(dir, WEIGHTS_FILE));
  const tensor = (name: ModelMetadata['tensors'][number]['name']): ModelMetadata['tensors'][number] => {
    const entry = metadata.tensors.find((t) => t.name === name);
    if (!entry) throw new Error(`model ${dir}: tensor ${name} missing`);
    if (entry.offset + entry.byteLength > blob.length) throw new Error(`model ${dir}: ${WEIGHTS_FILE} truncated`);
    return entry;
  };
  const floats = (name: ModelMetadata['tensors'][number]['name'], expected: number): Float32Array => {
    const e = tensor(name);
    if (e.byteLength !== expected * 4) throw new Error(`model ${dir}: tensor ${name} has the wrong size`);
    // Copy: Buffer pools are not guaranteed to be 4-byte aligned.
    return new Float32Array(blob.buffer.slice(blob.byteOffset + e.offset, blob.byteOffset + e.offset + e.byteLength));
  };
  const rows = metadata.featurizer.buckets;
  const dim = metadata.embeddingDim;
  const int8Rows = (name: 'embedding' | 'wide', cols: number): Float32Array => {
    const e = tensor(name);
    if (e.byteLength !== rows * cols + rows * 4) throw new Error(`model ${dir}: tensor ${name} has the wrong size`);
    const q = new Int8Array(blob.buffer.slice(blob.byteOffset + e.offset, blob.byteOffset + e.offset + rows * cols));
    const scales = new Float32Array(blob.buffer.slice(blob.byteOffset + e.offset + rows * cols, blob.byteOffset + e.offset + e.byteLength));
    return dequantizeRows(q, scales, rows, cols);
  };
  const hidden = metadata.hiddenDim;
  const weights: OwnModelWeights = {
    featurizer: metadata.featurizer,
    embeddingDim: dim,
    hiddenDim: hidden,
    embedding: int8Rows('embedding', dim),
    wide: int8Rows('wide', LABELS.length),
    dense1Kernel: floats('dense1/kernel', 2 * dim * hidden),
    dense1Bias: floats('dense1/bias', hidden),
    dense2Kernel: floats('dense2/kernel', hidden * LABELS.length),
    dense2Bias: floats('dense2/bias', LABELS.length),
  };
  return { metadata, weights };
}
