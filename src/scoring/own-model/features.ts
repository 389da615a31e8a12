import { isShouting, normalizeTokens } from './normalize';

/** How a text becomes a set of hashed feature ids; stored in the model metadata. */
export interface FeaturizerConfig {
  /** Number of hash buckets (embedding rows). */
  buckets: number;
  /** Character n-gram lengths taken inside each "<word>". */
  charNgramMin: number;
  charNgramMax: number;
  /** Word bigrams on/off. */
  wordBigrams: boolean;
  /** Text is cut to this many characters before normalisation. */
  maxChars: number;
  /** At most this many distinct features per text (the first ones in reading order). */
  maxFeatures: number;
}

export const DEFAULT_FEATURIZER: FeaturizerConfig = {
  buckets: 1 << 17,
  charNgramMin: 3,
  charNgramMax: 5,
  wordBigrams: true,
  maxChars: 1500,
  maxFeatures: 768,
};

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;
// Distinct starting states keep the feature families apart in the shared hash space.
const SEED_WORD = 0x01000193;
const SEED_BIGRAM = 0x2545f491;
const SEED_CHAR = 0x9e3779b9;

function fnvString(h: number, s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

function finish(h: number, buckets: number): number {
  // Final avalanche so that the low bits used by the modulo are well mixed.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % buckets;
}

/**
 * Distinct hashed feature ids of a text (word unigrams, word bigrams, character n-grams of each
 * padded word, a shouting flag), in first-seen order. Never empty: an empty text yields the
 * id of the empty-text token.
 */
export function extractFeatures(text: string, cfg: FeaturizerConfig): Int32Array {
  const tokens = normalizeTokens(text, cfg.maxChars);
  const seen = new Set<number>();
  const out: number[] = [];
  const add = (id: number): boolean => {
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
    return out.length >= cfg.maxFeatures;
  };
  if (tokens.length === 0) add(finish(fnvString(FNV_OFFSET ^ SEED_WORD, '\u0000empty', 0, 6), cfg.buckets));
  if (isShouting(text)) add(finish(fnvString(FNV_OFFSET ^ SEED_WORD, '\u0000caps', 0, 5), cfg.buckets));
  for (let t = 0; t < tokens.length; t++) {
    const w = tokens[t];
    const wordHash = fnvString(FNV_OFFSET ^ SEED_WORD, w, 0, w.length);
    if (add(finish(wordHash, cfg.buckets))) break;
    if (cfg.wordBigrams && t + 1 < tokens.length) {
      const next = tokens[t + 1];
      let h = fnvString(FNV_OFFSET ^ SEED_BIGRAM, w, 0, w.length);
      h = Math.imul(h ^ 32, FNV_PRIME);
      h = fnvString(h, next, 0, next.length);
      if (add(finish(h, cfg.buckets))) break;
    }
    const padded = `<${w}>`;
    let full = false;
    for (let n = cfg.charNgramMin; n <= cfg.charNgramMax && !full; n++) {
      for (let i = 0; i + n <= padded.length; i++) {
        // A word no longer than n is already covered by its unigram.
        if (n >= padded.length) break;
        const h = fnvString(Math.imul(FNV_OFFSET ^ SEED_CHAR, n), padded, i, i + n);
        if (add(finish(h, cfg.buckets))) {
          full = true;
          break;
        }
      }
    }
    if (full) break;
  }
  return Int32Array.from(out);
}
