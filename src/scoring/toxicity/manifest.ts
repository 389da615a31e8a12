import type { io } from '@tensorflow/tfjs';

export type WeightGroup = io.WeightsManifestConfig[number];

/** The parts of a tfjs graph-model model.json the loader relies on. */
export interface ModelJson {
  modelTopology: object;
  weightsManifest: io.WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: Record<string, unknown>;
}

export interface ShardSize {
  path: string;
  bytes: number;
}

const BYTES_PER_DTYPE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

export function parseModelJson(text: string): ModelJson {
  const json = JSON.parse(text) as Partial<ModelJson>;
  if (typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw new Error('model.json has no modelTopology');
  }
  if (!Array.isArray(json.weightsManifest) || json.weightsManifest.length === 0) {
    throw new Error('model.json has no weightsManifest');
  }
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group.paths) || group.paths.length === 0 || !Array.isArray(group.weights)) {
      throw new Error('model.json has a weightsManifest group without paths or weights');
    }
    for (const path of group.paths) assertPlainFileName(path);
  }
  return json as ModelJson;
}

/** Shard names come from a downloaded file: never let one escape the cache directory. */
function assertPlainFileName(name: string): void {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) {
    throw new Error(`model.json names an unsafe weight path: ${JSON.stringify(name)}`);
  }
}

export function computeWeightBytes(weight: io.WeightsManifestEntry): number {
  const dtype = weight.quantization?.dtype ?? weight.dtype;
  const size = BYTES_PER_DTYPE[dtype];
  if (size === undefined) throw new Error(`unsupported weight dtype ${dtype} for ${weight.name}`);
  return weight.shape.reduce((count, dim) => count * dim, 1) * size;
}

export function computeGroupBytes(group: WeightGroup): number {
  return group.weights.reduce((total, weight) => total + computeWeightBytes(weight), 0);
}

export function computeManifestBytes(model: ModelJson): number {
  return model.weightsManifest.reduce((total, group) => total + computeGroupBytes(group), 0);
}

/**
 * The tfjs converter cuts a group's bytes into equal shards (4 MiB by default) with a shorter
 * last one. The manifest does not record the shard size, so the largest shard found stands for
 * it: a truncated shard is then either shorter than its siblings or leaves the total short.
 * Returns one message per wrong shard; empty when all sizes fit.
 */
export function findShardSizeErrors(group: WeightGroup, actual: ShardSize[]): string[] {
  const expectedTotal = computeGroupBytes(group);
  const shardBytes = Math.max(...actual.map((shard) => shard.bytes));
  const lastIndex = actual.length - 1;
  const errors: string[] = [];
  actual.forEach((shard, index) => {
    const expected = index < lastIndex ? shardBytes : expectedTotal - lastIndex * shardBytes;
    if (shard.bytes !== expected || expected <= 0) {
      errors.push(`${shard.path} is ${shard.bytes} bytes, expected ${Math.max(expected, 0)}`);
    }
  });
  if (errors.length === 0 && actual.reduce((sum, s) => sum + s.bytes, 0) !== expectedTotal) {
    errors.push(`weights total ${expectedTotal} bytes expected`);
  }
  return errors;
}
