/** One SentencePiece entry: the piece (with '▁' marking a word start) and its log-probability. */
export type VocabularyEntry = [piece: string, score: number];
export type Vocabulary = readonly VocabularyEntry[];

const WORD_START = '\u2581';
/** Ids 0–5 are �, <s>, </s> and three extra tokens; they are never matched from text. */
const RESERVED_SYMBOLS_COUNT = 6;
const UNKNOWN_ID = 0;

interface TrieNode {
  children: Map<string, TrieNode>;
  id?: number;
}

interface PieceMatch {
  id: number;
  /** Length in code points, not UTF-16 units. */
  length: number;
  score: number;
}

export function parseVocabulary(json: unknown): Vocabulary {
  if (!Array.isArray(json) || json.length <= RESERVED_SYMBOLS_COUNT) {
    throw new Error('vocabulary must be an array of [piece, score] pairs');
  }
  return json.map((entry: unknown, index): VocabularyEntry => {
    const [piece, score] = Array.isArray(entry) ? entry : [];
    // The published vocab.json has null scores for a few pieces (':', '▁:)'); the package adds
    // them as numbers, so null counts as 0.
    if (typeof piece !== 'string' || (typeof score !== 'number' && score !== null)) {
      throw new Error(`vocabulary entry ${index} is not a [piece, score] pair`);
    }
    return [piece, score ?? 0];
  });
}

/**
 * The Universal Sentence Encoder tokenizer of @tensorflow-models/universal-sentence-encoder:
 * a Viterbi search for the highest-scoring segmentation into vocabulary pieces, unknown
 * characters mapping to id 0 (consecutive unknowns merged). Reimplemented so ids match the
 * package exactly, with a Map-based trie and code-point lengths (the package measures pieces
 * in UTF-16 units, which desynchronises its backtracking on astral characters).
 */
export class UseTokenizer {
  private readonly root: TrieNode = { children: new Map() };

  constructor(private readonly vocabulary: Vocabulary) {
    for (let id = RESERVED_SYMBOLS_COUNT; id < vocabulary.length; id++) {
      this.insertPiece(vocabulary[id][0], id);
    }
  }

  encode(text: string): number[] {
    const symbols = Array.from(WORD_START + text.normalize('NFKC').replace(/ /g, WORD_START));
    const bestScore = new Array<number>(symbols.length + 1).fill(0);
    const bestPiece = new Array<PieceMatch | undefined>(symbols.length + 1);
    const endingAt = Array.from({ length: symbols.length + 1 }, () => [] as PieceMatch[]);

    for (let start = 0; start < symbols.length; start++) {
      for (const match of this.matchPrefixes(symbols, start)) endingAt[start + match.length].push(match);
    }
    // Same tie-breaking as the package: visit shorter start offsets first, let later ties win,
    // and treat a best score of exactly 0 as "not set yet".
    for (let end = 1; end <= symbols.length; end++) {
      const candidates = endingAt[end].sort((a, b) => b.length - a.length);
      for (const piece of candidates) {
        const score = piece.score + bestScore[end - piece.length];
        if (bestScore[end] === 0 || score >= bestScore[end]) {
          bestScore[end] = score;
          bestPiece[end] = piece;
        }
      }
    }
    return this.backtrack(bestPiece);
  }

  private backtrack(bestPiece: (PieceMatch | undefined)[]): number[] {
    const reversed: number[] = [];
    for (let end = bestPiece.length - 1; end > 0; ) {
      const piece = bestPiece[end]!;
      reversed.push(piece.id);
      end -= piece.length;
    }
    const ids: number[] = [];
    for (let i = reversed.length - 1; i >= 0; i--) {
      const id = reversed[i];
      if (!(id === UNKNOWN_ID && ids[ids.length - 1] === UNKNOWN_ID)) ids.push(id);
    }
    return ids;
  }

  private insertPiece(piece: string, id: number): void {
    let node = this.root;
    for (const symbol of piece) {
      let child = node.children.get(symbol);
      if (!child) {
        child = { children: new Map() };
        node.children.set(symbol, child);
      }
      node = child;
    }
    node.id = id;
  }

  private matchPrefixes(symbols: string[], start: number): PieceMatch[] {
    const matches: PieceMatch[] = [];
    let node = this.root.children.get(symbols[start]);
    for (let i = start; node; ) {
      if (node.id !== undefined) {
        matches.push({ id: node.id, length: i - start + 1, score: this.vocabulary[node.id][1] });
      }
      i++;
      node = i < symbols.length ? node.children.get(symbols[i]) : undefined;
    }
    return matches.length > 0 ? matches : [{ id: UNKNOWN_ID, length: 1, score: 0 }];
  }
}
