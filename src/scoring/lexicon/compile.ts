import { createHash } from 'node:crypto';
import { z } from 'zod';
import { normalisePhrase } from '../normalise';

export const LEXICON_LABELS = ['insult', 'threat', 'obscene', 'sexual_explicit', 'identity_attack'] as const;
export type LexiconLabel = (typeof LEXICON_LABELS)[number];
export type LexiconLanguage = 'fr' | 'en';

const entrySchema = z.object({
  /** May hold alternatives: "{je vais|on va} {te|vous} tuer" expands to every combination. */
  phrase: z.string().min(1),
  label: z.enum(LEXICON_LABELS),
  /** 1 mild (untargeted profanity), 2 strong (targeted insult), 3 severe (slur, credible threat) */
  severity: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  /** a common harmless word in another language ("con", "bite", "retard"): match only in this list's language */
  ambiguous: z.boolean().optional(),
});

export const wordListSchema = z.object({
  language: z.enum(['fr', 'en']),
  entries: z.array(entrySchema),
});

export type WordList = z.infer<typeof wordListSchema>;

export interface LexiconEntry {
  phrase: string;
  label: LexiconLabel;
  severity: 1 | 2 | 3;
  language: LexiconLanguage;
  ambiguous: boolean;
}

export interface TrieNode {
  exact: Map<string, TrieNode>;
  /** children keyed by squeezed form, only followed for stretched tokens ("connnnard") */
  loose: Map<string, TrieNode[]>;
  entries: LexiconEntry[];
}

export interface Lexicon {
  root: TrieNode;
  /** keys of every content word in the lists: the only targets when gluing split letters back together */
  vocabulary: Set<string>;
  looseVocabulary: Set<string>;
  maxWordLength: number;
  version: string;
  phraseCount: number;
}

const MIN_GLUE_LENGTH = 3;

/** Expands "{a|b} c" into ["a c", "b c"]; an empty alternative drops the slot. */
export function expandAlternatives(phrase: string): string[] {
  const open = phrase.indexOf('{');
  if (open < 0) return [phrase.replace(/\s+/g, ' ').trim()];
  const close = phrase.indexOf('}', open);
  if (close < 0) throw new Error(`unbalanced braces in word-list phrase: ${phrase}`);
  const head = phrase.slice(0, open);
  const tail = phrase.slice(close + 1);
  return phrase
    .slice(open + 1, close)
    .split('|')
    .flatMap((choice) => expandAlternatives(head + choice + tail));
}

function createNode(): TrieNode {
  return { exact: new Map(), loose: new Map(), entries: [] };
}

function insertPhrase(root: TrieNode, keys: string[], looseKeys: string[], entry: LexiconEntry): void {
  let node = root;
  keys.forEach((key, index) => {
    let child = node.exact.get(key);
    if (!child) {
      child = createNode();
      node.exact.set(key, child);
      const siblings = node.loose.get(looseKeys[index]) ?? [];
      siblings.push(child);
      node.loose.set(looseKeys[index], siblings);
    }
    node = child;
  });
  const duplicate = node.entries.find((e) => e.label === entry.label && e.language === entry.language);
  if (!duplicate) node.entries.push(entry);
  else if (entry.severity > duplicate.severity) node.entries[node.entries.indexOf(duplicate)] = entry;
}

/** Builds the token trie once at start-up; matching is then a walk over token keys. */
/** Bump when matching or scoring rules change what the same lists produce (2: mentions count lower). */
const MATCHING_RULES_REVISION = 'matching-rules-2';

export function compileLexicon(lists: WordList[]): Lexicon {
  const root = createNode();
  const vocabulary = new Set<string>();
  const looseVocabulary = new Set<string>();
  let maxWordLength = 0;
  let phraseCount = 0;
  const hash = createHash('sha256');
  // Scores depend on the matching rules too, not only on the lists: a decision must name both.
  hash.update(MATCHING_RULES_REVISION);
  for (const list of lists) {
    const parsed = wordListSchema.parse(list);
    hash.update(JSON.stringify(parsed));
    for (const raw of parsed.entries) {
      for (const phrase of expandAlternatives(raw.phrase)) {
        const tokens = normalisePhrase(phrase);
        if (tokens.length === 0) continue;
        const entry: LexiconEntry = {
          phrase,
          label: raw.label,
          severity: raw.severity,
          language: parsed.language,
          ambiguous: raw.ambiguous ?? false,
        };
        insertPhrase(
          root,
          tokens.map((t) => t.key),
          tokens.map((t) => t.loose),
          entry,
        );
        phraseCount++;
        for (const token of tokens) {
          if (token.key.length < MIN_GLUE_LENGTH) continue;
          vocabulary.add(token.key);
          looseVocabulary.add(token.loose);
          maxWordLength = Math.max(maxWordLength, token.key.length);
        }
      }
    }
  }
  return { root, vocabulary, looseVocabulary, maxWordLength, version: hash.digest('hex').slice(0, 10), phraseCount };
}
