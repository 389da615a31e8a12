import path from 'node:path';
import { silentLogger, type Logger } from '../lib/logger';
import { LexiconScorer } from './lexicon/lexicon.scorer';
import type { Scorer } from './scorer';

export const SCORER_NAMES = ['lexicon', 'own', 'toxicity'] as const;
export type ScorerName = (typeof SCORER_NAMES)[number];

/** Vigie's own FR+EN model (shipped in models/) plus the word lists; `toxicity` is opt-in (weights not shipped). */
export const DEFAULT_SCORER_NAMES: readonly ScorerName[] = ['own', 'lexicon'];

export interface CreateScorersOptions {
  logger?: Logger;
  /** directory of Vigie's own model (default: models/vigie-fr-en) */
  ownModelDir?: string;
  /** directory of the published toxicity model; without it the loader's cache under dataDir is used */
  toxicityModelDir?: string;
  dataDir?: string;
}

export class ScorerUnavailableError extends Error {
  constructor(name: string, reason: string, options?: { cause?: unknown }) {
    super(`scorer "${name}" is not available: ${reason}`, options);
    this.name = 'ScorerUnavailableError';
  }
}

/** "lexicon, own" → ['lexicon', 'own']; unknown names are rejected with the list of known ones. */
export function parseScorerNames(list: string): ScorerName[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error(`no scorer named; choose from ${SCORER_NAMES.join(', ')}`);
  for (const name of names) {
    if (!(SCORER_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown scorer "${name}"; choose from ${SCORER_NAMES.join(', ')}`);
    }
  }
  return [...new Set(names)] as ScorerName[];
}

// The model scorers are required lazily: their modules pull in TensorFlow.js or model files that a
// word-list-only run should neither load nor need.
async function createOwnModelScorer(options: CreateScorersOptions): Promise<Scorer> {
  try {
    const { OwnModelScorer } = require('./own-model/scorer') as typeof import('./own-model/scorer');
    return await OwnModelScorer.load(options.ownModelDir, { logger: options.logger });
  } catch (error) {
    throw new ScorerUnavailableError('own', (error as Error).message, { cause: error });
  }
}

async function createToxicityScorer(options: CreateScorersOptions): Promise<Scorer> {
  try {
    const { loadToxicityModel } = require('./toxicity/loader') as typeof import('./toxicity/loader');
    return await loadToxicityModel({
      modelDir: options.toxicityModelDir,
      dataDir: options.dataDir ?? path.resolve('data'),
      logger: options.logger ?? silentLogger(),
    });
  } catch (error) {
    throw new ScorerUnavailableError('toxicity', (error as Error).message, { cause: error });
  }
}

export async function createScorers(names: readonly ScorerName[], options: CreateScorersOptions = {}): Promise<Scorer[]> {
  const scorers: Scorer[] = [];
  for (const name of names) {
    if (name === 'lexicon') scorers.push(new LexiconScorer());
    else if (name === 'own') scorers.push(await createOwnModelScorer(options));
    else scorers.push(await createToxicityScorer(options));
  }
  return scorers;
}
