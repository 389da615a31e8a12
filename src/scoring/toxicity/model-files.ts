import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../lib/logger';
import { findShardSizeErrors, parseModelJson, type ModelJson } from './manifest';
import { parseVocabulary, type Vocabulary } from './tokenizer';

export const MODEL_JSON = 'model.json';
export const VOCAB_JSON = 'vocab.json';

/** Everything needed to build the GraphModel and the tokenizer, already checked. */
export interface ToxicityModelFiles {
  model: ModelJson;
  /** Weight shards in manifest order, groups one after another. */
  shards: Buffer[];
  vocabulary: Vocabulary;
  /** Prefix of model.json's sha256. */
  version: string;
}

export interface DownloadModelFilesOptions {
  modelUrl: string;
  vocabUrl: string;
  targetDir: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  logger: Logger;
}

/** Reads and checks model.json, its shards and vocab.json from one directory. */
export async function readModelDir(dir: string): Promise<ToxicityModelFiles> {
  const modelText = await readFile(path.join(dir, MODEL_JSON), 'utf8');
  const model = parseModelJson(modelText);
  const shards: Buffer[] = [];
  for (const group of model.weightsManifest) {
    const sizes = await Promise.all(
      group.paths.map(async (name) => ({ path: name, bytes: (await stat(path.join(dir, name))).size })),
    );
    throwOnShardSizeErrors(group, sizes, dir);
    for (const name of group.paths) shards.push(await readFile(path.join(dir, name)));
  }
  const vocabulary = parseVocabulary(JSON.parse(await readFile(path.join(dir, VOCAB_JSON), 'utf8')));
  return { model, shards, vocabulary, version: hashVersion(modelText) };
}

/**
 * Downloads model.json, its shards and vocab.json, checks every size, then writes them into
 * targetDir (each file atomically, model.json last) so a failed download leaves no cache.
 */
export async function downloadModelFiles(options: DownloadModelFilesOptions): Promise<void> {
  const modelBody = await fetchBytes(options.modelUrl, options);
  const model = parseModelJson(modelBody.toString('utf8'));
  const shards = new Map<string, Buffer>();
  for (const group of model.weightsManifest) {
    for (const name of group.paths) {
      shards.set(name, await fetchBytes(resolveShardUrl(options.modelUrl, name), options));
    }
    const sizes = group.paths.map((name) => ({ path: name, bytes: shards.get(name)!.length }));
    throwOnShardSizeErrors(group, sizes, 'download');
  }
  const vocabBody = await fetchBytes(options.vocabUrl, options);
  parseVocabulary(JSON.parse(vocabBody.toString('utf8')));

  await mkdir(options.targetDir, { recursive: true });
  for (const [name, body] of shards) await writeFileAtomic(path.join(options.targetDir, name), body);
  await writeFileAtomic(path.join(options.targetDir, VOCAB_JSON), vocabBody);
  await writeFileAtomic(path.join(options.targetDir, MODEL_JSON), modelBody);
  options.logger.info(
    { dir: options.targetDir, shards: shards.size, version: hashVersion(modelBody.toString('utf8')) },
    'toxicity model downloaded',
  );
}

function throwOnShardSizeErrors(
  group: ModelJson['weightsManifest'][number],
  sizes: { path: string; bytes: number }[],
  where: string,
): void {
  const errors = findShardSizeErrors(group, sizes);
  if (errors.length > 0) throw new Error(`weight shards do not match model.json (${where}): ${errors.join('; ')}`);
}

/**
 * Shards sit beside model.json and take its query string (`?tfjs-format=file`), as in tfjs's
 * own http handler; each shard request follows its own redirect (TF Hub redirects them all).
 */
export function resolveShardUrl(modelUrl: string, shard: string): string {
  const resolved = new URL(shard, modelUrl);
  resolved.search = new URL(modelUrl).search;
  return resolved.toString();
}

async function fetchBytes(
  url: string,
  options: Pick<DownloadModelFilesOptions, 'fetch' | 'timeoutMs'>,
): Promise<Buffer> {
  const response = await options.fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) !== body.length) {
    throw new Error(`GET ${url} was cut short: ${body.length} of ${declared} bytes`);
  }
  return body;
}

async function writeFileAtomic(file: string, data: Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

function hashVersion(modelText: string): string {
  return createHash('sha256').update(modelText).digest('hex').slice(0, 12);
}
