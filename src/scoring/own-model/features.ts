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
  buckets: 1 << 16,
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

/** Open-addressing set of feature ids, reused across calls (extraction is single-threaded). */
class IdSet {
  private table = new Int32Array(2048).fill(-1);
  private used: number[] = [];

  /** Adds id; false when it was already present. */
  add(id: number): boolean {
    const mask = this.table.length - 1;
    let slot = Math.imul(id, 0x9e3779b1) >>> 21 & mask;
    for (;;) {
      const v = this.table[slot];
      if (v === id) return false;
      if (v === -1) {
        this.table[slot] = id;
        this.used.push(slot);
        return true;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Empties the set; grows it first when the next text may need more room. */
  reset(capacity: number): void {
    for (const slot of this.used) this.table[slot] = -1;
    this.used.length = 0;
    if (capacity * 2 > this.table.length) {
      let size = this.table.length;
      while (capacity * 2 > size) size *= 2;
      this.table = new Int32Array(size).fill(-1);
    }
  }
}

const ids = new IdSet();
let scratch = new Int32Array(1024);

/** Hash of the character n-gram of "<word>" starting at `start` (positions in the padded word). */
function charNgramHash(word: string, start: number, n: number): number {
  let h = Math.imul(FNV_OFFSET ^ SEED_CHAR, n);
  const len = word.length;
  for (let i = start; i < start + n; i++) {
    const c = i === 0 ? 60 : i === len + 1 ? 62 : word.charCodeAt(i - 1); // '<' and '>'
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h;
}

/**
 * Distinct hashed feature ids of a text (word unigrams, word bigrams, character n-grams of each
 * padded word, a shouting flag), in first-seen order. Never empty: an empty text yields the
 * id of the empty-text token.
 */
export function extractFeatures(text: string, cfg: FeaturizerConfig): Int32Array {
  const tokens = normalizeTokens(text, cfg.maxChars);
  const max = cfg.maxFeatures;
  if (scratch.length < max) scratch = new Int32Array(max);
  ids.reset(max);
  let count = 0;
  const add = (hash: number): boolean => {
    const id = finish(hash, cfg.buckets);
    if (ids.add(id)) scratch[count++] = id;
    return count >= max;
  };
  if (tokens.length === 0) add(fnvString(FNV_OFFSET ^ SEED_WORD, '\u0000empty', 0, 6));
  if (isShouting(text)) add(fnvString(FNV_OFFSET ^ SEED_WORD, '\u0000caps', 0, 5));
  outer: for (let t = 0; t < tokens.length; t++) {
    const w = tokens[t];
    if (add(fnvString(FNV_OFFSET ^ SEED_WORD, w, 0, w.length))) break;
    if (cfg.wordBigrams && t + 1 < tokens.length) {
      const next = tokens[t + 1];
      let h = fnvString(FNV_OFFSET ^ SEED_BIGRAM, w, 0, w.length);
      h = Math.imul(h ^ 32, FNV_PRIME);
      if (add(fnvString(h, next, 0, next.length))) break;
    }
    const paddedLength = w.length + 2;
    for (let n = cfg.charNgramMin; n <= cfg.charNgramMax; n++) {
      // A word no longer than n is already covered by its unigram.
      if (n >= paddedLength) break;
      for (let i = 0; i + n <= paddedLength; i++) {
        if (add(charNgramHash(w, i, n))) break outer;
      }
    }
  }
  return scratch.slice(0, count);
}
