/**
 * Writes a miniature tfjs graph model with the published toxicity model's interface:
 * inputs `Placeholder` (int32 [nTokens] token ids) and `Placeholder_1` (int32 [nTokens, 2]
 * [sentence, token] pairs), outputs `<label>/predictions/probabilities` ([batch, 2], Softmax).
 * Inside, like the real model: drop tokens past MAX_TOKENS per sentence (Less + Where + GatherV2,
 * which also makes executeAsync necessary), SparseToDense the ids into [batch, maxLen] (shifted by one so 0 is padding), GatherV2
 * an embedding, masked mean over tokens, then one MatMul + BiasAdd + Softmax head per label.
 * Words listed in INSULTS get a large first embedding dimension, which every head weighs
 * towards "toxic", so tests can check the ids reach the model in order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MINI_LABELS = [
  'identity_attack',
  'insult',
  'obscene',
  'severe_toxicity',
  'sexual_explicit',
  'threat',
  'toxicity',
] as const;

const RESERVED = ['\ufffd', '<s>', '</s>', 'extra_token_id_1', 'extra_token_id_2', 'extra_token_id_3'];
const WORDS = ['you', 'are', 'an', 'a', 'the', 'nice', 'person', 'hello', 'world', 'thanks', 'for', 'article'];
const INSULTS = ['idiot', 'stupid', 'moron'];
const CHARACTERS = 'abcdefghijklmnopqrstuvwxyz.,!?\'';
const EMBEDDING_SIZE = 8;
export const MINI_MAX_TOKENS = 64;

type Dtype = 'float32' | 'int32';
interface Weight {
  name: string;
  shape: number[];
  dtype: Dtype;
  values: number[];
}
interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

export interface MiniToxicityModelFiles {
  dir: string;
  modelJsonPath: string;
  vocabPath: string;
  shardPaths: string[];
  vocabulary: [string, number][];
}

export function buildMiniVocabulary(): [string, number][] {
  const pieces: [string, number][] = RESERVED.map((piece) => [piece, 0]);
  [...WORDS, ...INSULTS].forEach((word, i) => pieces.push([`\u2581${word}`, -2 - i * 0.01]));
  pieces.push(['\u2581', -6]);
  for (const ch of CHARACTERS) pieces.push([ch, -8]);
  return pieces;
}

/** Deterministic weights (mulberry32) so expected outputs never change between runs. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function buildWeights(vocabulary: [string, number][]): Weight[] {
  const random = createRandom(42);
  const insultIds = new Set(INSULTS.map((word) => vocabulary.findIndex(([piece]) => piece === `\u2581${word}`)));
  const rows = vocabulary.length + 1;
  const embedding: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let dim = 0; dim < EMBEDDING_SIZE; dim++) {
      if (row === 0) embedding.push(0);
      else if (dim === 0) embedding.push(insultIds.has(row - 1) ? 4 : 0);
      else embedding.push(random());
    }
  }
  const weights: Weight[] = [
    { name: 'one', shape: [], dtype: 'int32', values: [1] },
    { name: 'zero', shape: [], dtype: 'int32', values: [0] },
    { name: 'axis0', shape: [], dtype: 'int32', values: [0] },
    { name: 'axis1', shape: [1], dtype: 'int32', values: [1] },
    { name: 'axes0', shape: [1], dtype: 'int32', values: [0] },
    { name: 'axis1_scalar', shape: [], dtype: 'int32', values: [1] },
    { name: 'flat_shape', shape: [1], dtype: 'int32', values: [-1] },
    { name: 'max_tokens', shape: [], dtype: 'int32', values: [MINI_MAX_TOKENS] },
    { name: 'one_float', shape: [], dtype: 'float32', values: [1] },
    { name: 'embedding', shape: [rows, EMBEDDING_SIZE], dtype: 'float32', values: embedding },
  ];
  for (const label of MINI_LABELS) {
    const kernel: number[] = [];
    for (let dim = 0; dim < EMBEDDING_SIZE; dim++) {
      kernel.push(dim === 0 ? -1 : random(), dim === 0 ? 1 : random());
    }
    weights.push({ name: `${label}/predictions/kernel`, shape: [EMBEDDING_SIZE, 2], dtype: 'float32', values: kernel });
    weights.push({ name: `${label}/predictions/bias`, shape: [2], dtype: 'float32', values: [0.5, -0.5] });
  }
  return weights;
}

const dtypeAttr = (dtype: Dtype) => ({ type: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' });

function buildNodes(weights: Weight[]): GraphNode[] {
  const consts: GraphNode[] = weights.map((w) => ({
    name: w.name,
    op: 'Const',
    attr: {
      value: { tensor: { dtype: dtypeAttr(w.dtype).type, tensorShape: { dim: w.shape.map((size) => ({ size: String(size) })) } } },
      dtype: dtypeAttr(w.dtype),
    },
  }));
  const int = { T: dtypeAttr('int32') };
  const float = { T: dtypeAttr('float32') };
  const nodes: GraphNode[] = [
    { name: 'Placeholder', op: 'Placeholder', attr: { dtype: dtypeAttr('int32'), shape: { shape: { dim: [{ size: '-1' }] } } } },
    {
      name: 'Placeholder_1',
      op: 'Placeholder',
      attr: { dtype: dtypeAttr('int32'), shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } },
    },
    ...consts,
    { name: 'clip/token_index', op: 'GatherV2', input: ['Placeholder_1', 'one', 'axis1_scalar'], attr: { batch_dims: { i: '0' } } },
    { name: 'clip/keep', op: 'Less', input: ['clip/token_index', 'max_tokens'], attr: int },
    { name: 'clip/kept', op: 'Where', input: ['clip/keep'], attr: { T: { type: 'DT_BOOL' } } },
    { name: 'clip/kept_flat', op: 'Reshape', input: ['clip/kept', 'flat_shape'], attr: { ...int, Tshape: dtypeAttr('int32') } },
    { name: 'clip/positions', op: 'GatherV2', input: ['Placeholder_1', 'clip/kept_flat', 'axis0'], attr: { batch_dims: { i: '0' } } },
    { name: 'clip/ids', op: 'GatherV2', input: ['Placeholder', 'clip/kept_flat', 'axis0'], attr: { batch_dims: { i: '0' } } },
    { name: 'encode/max_index', op: 'Max', input: ['clip/positions', 'axes0'], attr: { ...int, keep_dims: { b: false } } },
    { name: 'encode/dense_shape', op: 'AddV2', input: ['encode/max_index', 'one'], attr: int },
    { name: 'encode/shifted_ids', op: 'AddV2', input: ['clip/ids', 'one'], attr: int },
    {
      name: 'encode/dense_ids',
      op: 'SparseToDense',
      input: ['clip/positions', 'encode/dense_shape', 'encode/shifted_ids', 'zero'],
      attr: { Tindices: dtypeAttr('int32'), T: dtypeAttr('int32'), validate_indices: { b: true } },
    },
    { name: 'encode/embedded', op: 'GatherV2', input: ['embedding', 'encode/dense_ids', 'axis0'], attr: { batch_dims: { i: '0' } } },
    { name: 'encode/sum', op: 'Sum', input: ['encode/embedded', 'axis1'], attr: { ...float, keep_dims: { b: false } } },
    { name: 'encode/is_token', op: 'NotEqual', input: ['encode/dense_ids', 'zero'], attr: int },
    { name: 'encode/mask', op: 'Cast', input: ['encode/is_token'], attr: { SrcT: { type: 'DT_BOOL' }, DstT: dtypeAttr('float32') } },
    { name: 'encode/count', op: 'Sum', input: ['encode/mask', 'axis1'], attr: { ...float, keep_dims: { b: true } } },
    { name: 'encode/safe_count', op: 'Maximum', input: ['encode/count', 'one_float'], attr: float },
    { name: 'encode/mean', op: 'RealDiv', input: ['encode/sum', 'encode/safe_count'], attr: float },
  ];
  for (const label of MINI_LABELS) {
    const scope = `${label}/predictions`;
    nodes.push(
      { name: `${scope}/MatMul`, op: 'MatMul', input: ['encode/mean', `${scope}/kernel`], attr: { ...float, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: `${scope}/two_class_logits`, op: 'BiasAdd', input: [`${scope}/MatMul`, `${scope}/bias`], attr: { ...float, data_format: { s: 'TkhXQw==' } } },
      { name: `${scope}/probabilities`, op: 'Softmax', input: [`${scope}/two_class_logits`], attr: float },
    );
  }
  return nodes;
}

function encodeWeights(weights: Weight[]): Buffer {
  return Buffer.concat(
    weights.map((w) => {
      const typed = w.dtype === 'int32' ? Int32Array.from(w.values) : Float32Array.from(w.values);
      return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
    }),
  );
}

/** Writes model.json, `shardCount` weight shards (equal but the last, like the converter) and vocab.json. */
export function writeMiniToxicityModel(dir: string, shardCount = 2): MiniToxicityModelFiles {
  mkdirSync(dir, { recursive: true });
  const vocabulary = buildMiniVocabulary();
  const weights = buildWeights(vocabulary);
  const data = encodeWeights(weights);
  const shardBytes = Math.ceil(data.length / shardCount / 4) * 4;
  const shardNames = Array.from({ length: shardCount }, (_, i) => `group1-shard${i + 1}of${shardCount}`);
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'vigie test/fixtures-gen/make-mini-toxicity-model.ts',
    convertedBy: null,
    modelTopology: { node: buildNodes(weights), library: {}, versions: { producer: 1 } },
    weightsManifest: [
      { paths: shardNames, weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) },
    ],
  };
  const shardPaths = shardNames.map((name, i) => {
    const file = path.join(dir, name);
    writeFileSync(file, data.subarray(i * shardBytes, (i + 1) * shardBytes));
    return file;
  });
  const modelJsonPath = path.join(dir, 'model.json');
  const vocabPath = path.join(dir, 'vocab.json');
  writeFileSync(modelJsonPath, JSON.stringify(modelJson));
  writeFileSync(vocabPath, JSON.stringify(vocabulary));
  return { dir, modelJsonPath, vocabPath, shardPaths, vocabulary };
}

if (require.main === module) {
  const target = process.argv[2];
  if (!target) throw new Error('usage: make-mini-toxicity-model <dir>');
  console.log(writeMiniToxicityModel(target));
}
