import { readFileSync } from 'node:fs';
import {
  computeManifestBytes,
  findShardSizeErrors,
  parseModelJson,
} from '../../../../src/scoring/toxicity/manifest';
import { resolveShardUrl } from '../../../../src/scoring/toxicity/model-files';

const published = parseModelJson(readFileSync('/work/shared/models/tfjs-toxicity/model.json', 'utf8'));
const [group] = published.weightsManifest;
const documentedSizes = [4194304, 4194304, 4194304, 4194304, 4194304, 4194304, 4086004];
const shardsOfSizes = (sizes: number[]) => sizes.map((bytes, i) => ({ path: group.paths[i], bytes }));

describe('weights manifest of the published model', () => {
  it('adds up to the documented 29,251,828 bytes', () => {
    expect(computeManifestBytes(published)).toBe(29_251_828);
  });

  it('accepts the documented shard sizes', () => {
    expect(findShardSizeErrors(group, shardsOfSizes(documentedSizes))).toEqual([]);
  });

  it('names a truncated last shard', () => {
    const sizes = [...documentedSizes.slice(0, 6), 4086000];
    expect(findShardSizeErrors(group, shardsOfSizes(sizes))).toEqual([
      'group1-shard7of7 is 4086000 bytes, expected 4086004',
    ]);
  });

  it('names a truncated middle shard', () => {
    const sizes = [...documentedSizes];
    sizes[2] = 1000;
    expect(findShardSizeErrors(group, shardsOfSizes(sizes))).toEqual([
      'group1-shard3of7 is 1000 bytes, expected 4194304',
    ]);
  });

  it('rejects shards that are all too short', () => {
    expect(findShardSizeErrors(group, shardsOfSizes(documentedSizes.map((n) => n - 4)))).not.toEqual([]);
  });
});

describe('parseModelJson', () => {
  it('refuses weight paths that leave the model directory', () => {
    const text = JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['../evil'], weights: [] }] });
    expect(() => parseModelJson(text)).toThrow(/unsafe weight path/);
  });

  it('requires a weights manifest', () => {
    expect(() => parseModelJson('{"modelTopology":{}}')).toThrow(/weightsManifest/);
  });
});

describe('resolveShardUrl', () => {
  it('resolves beside model.json and keeps the tfjs-format query', () => {
    expect(
      resolveShardUrl(
        'https://tfhub.dev/tensorflow/tfjs-model/toxicity/1/default/1/model.json?tfjs-format=file',
        'group1-shard1of7',
      ),
    ).toBe('https://tfhub.dev/tensorflow/tfjs-model/toxicity/1/default/1/group1-shard1of7?tfjs-format=file');
  });
});
