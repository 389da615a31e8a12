import path from 'node:path';
import { AppError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { initTfjsBackend, type Tfjs } from '../tfjs-backend';
import { downloadModelFiles, readModelDir, type ToxicityModelFiles } from './model-files';
import { TfjsToxicityScorer, TOXICITY_INPUT_IDS, TOXICITY_INPUT_POSITIONS, TOXICITY_OUTPUTS } from './scorer';
import { UseTokenizer } from './tokenizer';

export const TOXICITY_MODEL_URL =
  'https://tfhub.dev/tensorflow/tfjs-model/toxicity/1/default/1/model.json?tfjs-format=file';
export const TOXICITY_VOCAB_URL =
  'https://storage.googleapis.com/tfjs-models/savedmodel/universal_sentence_encoder/vocab.json';

export class ToxicityModelUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('toxicity_model_unavailable', 503, message, { cause });
    this.name = 'ToxicityModelUnavailableError';
  }
}

export interface LoadToxicityModelOptions {
  /** A directory with model.json, its shards and vocab.json (TOXICITY_MODEL_DIR); never downloads. */
  modelDir?: string;
  /** Root of the download cache: files go to <dataDir>/models/toxicity/. */
  dataDir: string;
  fetch?: typeof globalThis.fetch;
  logger: Logger;
  tf?: Tfjs;
  modelUrl?: string;
  vocabUrl?: string;
  timeoutMs?: number;
}

export function resolveToxicityCacheDir(dataDir: string): string {
  return path.join(dataDir, 'models', 'toxicity');
}

/**
 * Loads the published toxicity model from modelDir, else from the download cache, else
 * downloads it once into the cache. Throws ToxicityModelUnavailableError when none works.
 */
export async function loadToxicityModel(options: LoadToxicityModelOptions): Promise<TfjsToxicityScorer> {
  const files = await obtainModelFiles(options);
  const tf = options.tf ?? (await initTfjsBackend({ logger: options.logger })).tf;
  const model = await tf.loadGraphModel({
    load: async () => ({
      modelTopology: files.model.modelTopology,
      weightSpecs: files.model.weightsManifest.flatMap((group) => group.weights),
      weightData: concatArrayBuffer(files.shards),
      format: files.model.format,
      generatedBy: files.model.generatedBy,
      convertedBy: files.model.convertedBy ?? undefined,
    }),
  });
  return new TfjsToxicityScorer(tf, model, new UseTokenizer(files.vocabulary), files.version);
}

/** For workers that can run without the model: null (logged once, here) when it is unavailable. */
export async function tryLoadToxicityScorer(options: LoadToxicityModelOptions): Promise<TfjsToxicityScorer | null> {
  try {
    const scorer = await loadToxicityModel(options);
    options.logger.info({ scorer: scorer.name, version: scorer.version }, 'toxicity model loaded');
    return scorer;
  } catch (err) {
    if (!(err instanceof ToxicityModelUnavailableError)) throw err;
    options.logger.warn({ err }, 'toxicity model unavailable, scoring without it');
    return null;
  }
}

async function obtainModelFiles(options: LoadToxicityModelOptions): Promise<ToxicityModelFiles> {
  if (options.modelDir !== undefined) {
    return checkInterface(await readOrExplain(options.modelDir, `cannot read the toxicity model in ${options.modelDir}`));
  }
  const cacheDir = resolveToxicityCacheDir(options.dataDir);
  try {
    return checkInterface(await readModelDir(cacheDir));
  } catch (err) {
    options.logger.debug({ dir: cacheDir, reason: (err as Error).message }, 'no usable toxicity model cache');
  }
  try {
    await downloadModelFiles({
      modelUrl: options.modelUrl ?? TOXICITY_MODEL_URL,
      vocabUrl: options.vocabUrl ?? TOXICITY_VOCAB_URL,
      targetDir: cacheDir,
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: options.timeoutMs ?? 120_000,
      logger: options.logger,
    });
  } catch (err) {
    throw new ToxicityModelUnavailableError(`cannot download the toxicity model: ${(err as Error).message}`, err);
  }
  return checkInterface(await readOrExplain(cacheDir, `cannot read the downloaded toxicity model in ${cacheDir}`));
}

async function readOrExplain(dir: string, message: string): Promise<ToxicityModelFiles> {
  try {
    return await readModelDir(dir);
  } catch (err) {
    throw new ToxicityModelUnavailableError(`${message}: ${(err as Error).message}`, err);
  }
}

function checkInterface(files: ToxicityModelFiles): ToxicityModelFiles {
  const topology = files.model.modelTopology as { node?: { name: string }[] };
  const names = new Set((topology.node ?? []).map((node) => node.name));
  const missing = [TOXICITY_INPUT_IDS, TOXICITY_INPUT_POSITIONS, ...TOXICITY_OUTPUTS].filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new ToxicityModelUnavailableError(`model.json lacks the toxicity model nodes ${missing.join(', ')}`);
  }
  return files;
}

function concatArrayBuffer(parts: Buffer[]): ArrayBuffer {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole.buffer;
}
