import type { Language } from '../../domain/decision';
import { canonicaliseClitic, squeezeRepeats, tokenise, type Token } from '../normalise';
import type { MentionKind } from './mention';
import type { Lexicon, LexiconEntry, LexiconLabel, LexiconLanguage, TrieNode } from './compile';

export interface LexiconMatch {
  label: LexiconLabel;
  /** the list phrase that matched (after expanding alternatives) */
  phrase: string;
  severity: 1 | 2 | 3;
  language: LexiconLanguage;
  /** range in the ORIGINAL text */
  start: number;
  end: number;
  /** set when the phrase is quoted or reported rather than used (mention.ts) */
  mention?: MentionKind;
}

/** Spelled-out words ("c o n n a r d") need this many letters, so "il y a" is never glued. */
const MIN_SPELLED_LETTERS = 3;
/** Two real words separated by a space are glued only into long list words ("con neries"), not "mer de". */
const MIN_SPACE_GLUED_LENGTH = 7;
const MAX_GLUED_PIECES = 3;

function isStretched(word: string): boolean {
  for (let i = 2; i < word.length; i++) if (word[i] === word[i - 1] && word[i] === word[i - 2]) return true;
  return false;
}

function isListWord(form: string, lexicon: Lexicon): boolean {
  if (form.length > lexicon.maxWordLength + 8) return false;
  const key = canonicaliseClitic(form);
  if (lexicon.vocabulary.has(key)) return true;
  return isStretched(key) && lexicon.looseVocabulary.has(squeezeRepeats(key));
}

function glueTokens(tokens: Token[], from: number, to: number): Token {
  let form = '';
  for (let i = from; i <= to; i++) form += tokens[i].form;
  const key = canonicaliseClitic(form);
  return {
    form,
    key,
    loose: squeezeRepeats(key),
    elongated: isStretched(key),
    gapBefore: tokens[from].gapBefore,
    start: tokens[from].start,
    end: tokens[to].end,
  };
}

/** "c o n n a r d", "c.o.n": the whole run of single letters must spell a list word. */
function glueSpelledLetters(tokens: Token[], at: number, lexicon: Lexicon): number | undefined {
  if (tokens[at].form.length !== 1) return undefined;
  let last = at;
  while (
    last + 1 < tokens.length &&
    tokens[last + 1].form.length === 1 &&
    (tokens[last + 1].gapBefore === 'space' || tokens[last + 1].gapBefore === 'tight')
  ) {
    last++;
  }
  if (last - at + 1 < MIN_SPELLED_LETTERS) return undefined;
  let form = '';
  for (let i = at; i <= last; i++) form += tokens[i].form;
  return isListWord(form, lexicon) ? last : undefined;
}

/** "cu.l", "en-culé", "con neries": a word cut in two or three by punctuation or one space. */
function glueSplitWord(tokens: Token[], at: number, lexicon: Lexicon): number | undefined {
  for (let pieces = MAX_GLUED_PIECES; pieces >= 2; pieces--) {
    const last = at + pieces - 1;
    if (last >= tokens.length) continue;
    let form = tokens[at].form;
    let spaced = false;
    let ok = true;
    for (let i = at + 1; i <= last && ok; i++) {
      const gap = tokens[i].gapBefore;
      if (gap === 'space') spaced = true;
      else if (gap !== 'tight') ok = false;
      form += tokens[i].form;
    }
    if (!ok) continue;
    if (spaced) {
      const shortPiece = tokens.slice(at, last + 1).some((t) => t.form.length < 2);
      if (pieces > 2 || shortPiece || form.length < MIN_SPACE_GLUED_LENGTH) continue;
    }
    if (isListWord(form, lexicon)) return last;
  }
  return undefined;
}

/** Re-joins words that were split to dodge a filter, but only when the result is a list word. */
export function mergeObfuscatedTokens(tokens: Token[], lexicon: Lexicon): Token[] {
  const merged: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    const last = glueSpelledLetters(tokens, i, lexicon) ?? glueSplitWord(tokens, i, lexicon);
    if (last === undefined) {
      merged.push(tokens[i]);
      i++;
    } else {
      merged.push(glueTokens(tokens, i, last));
      i = last + 1;
    }
  }
  return merged;
}

function matchesWildcard(pattern: string, word: string): boolean {
  if (pattern.length !== word.length) return false;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== '*' && pattern[i] !== word[i]) return false;
  return true;
}

function findChildren(node: TrieNode, token: Token): TrieNode[] {
  const children: TrieNode[] = [];
  const exact = node.exact.get(token.key);
  if (exact) children.push(exact);
  if (token.elongated) {
    for (const child of node.loose.get(token.loose) ?? []) if (child !== exact) children.push(child);
  }
  if (token.key.includes('*') && token.key.length > 1) {
    for (const [word, child] of node.exact) if (matchesWildcard(token.key, word)) children.push(child);
  }
  return children;
}

function acceptedEntries(node: TrieNode, language: Language): LexiconEntry[] {
  return node.entries.filter((entry) => !entry.ambiguous || entry.language === language);
}

interface Hit {
  last: number;
  entries: LexiconEntry[];
}

/** Longest phrase starting at token `at`; phrases do not run across sentence ends or commas. */
function findLongestHit(tokens: Token[], at: number, root: TrieNode, language: Language): Hit | undefined {
  let best: Hit | undefined;
  const walk = (node: TrieNode, index: number): void => {
    if (index >= tokens.length) return;
    if (index > at && tokens[index].gapBefore === 'break') return;
    for (const child of findChildren(node, tokens[index])) {
      const entries = child.entries.length > 0 ? acceptedEntries(child, language) : [];
      if (entries.length > 0 && (!best || index > best.last)) best = { last: index, entries };
      if (child.exact.size > 0) walk(child, index + 1);
    }
  };
  walk(root, at);
  return best;
}

function strongestPerLabel(entries: LexiconEntry[]): LexiconEntry[] {
  const byLabel = new Map<LexiconLabel, LexiconEntry>();
  for (const entry of entries) {
    const current = byLabel.get(entry.label);
    if (!current || entry.severity > current.severity) byLabel.set(entry.label, entry);
  }
  return [...byLabel.values()];
}

/**
 * Finds word-list phrases in `text` after normalising obfuscation. Matches never overlap (the
 * longest phrase wins); ambiguous entries ("con", "retard") count only in their own language.
 */
export function findLexiconMatches(text: string, lexicon: Lexicon, language: Language): LexiconMatch[] {
  return findLexiconMatchesInTokens(tokenise(text), lexicon, language);
}

export function findLexiconMatchesInTokens(rawTokens: Token[], lexicon: Lexicon, language: Language): LexiconMatch[] {
  const tokens = mergeObfuscatedTokens(rawTokens, lexicon);
  const matches: LexiconMatch[] = [];
  let i = 0;
  while (i < tokens.length) {
    const hit = findLongestHit(tokens, i, lexicon.root, language);
    if (!hit) {
      i++;
      continue;
    }
    for (const entry of strongestPerLabel(hit.entries)) {
      matches.push({
        label: entry.label,
        phrase: entry.phrase,
        severity: entry.severity,
        language: entry.language,
        start: tokens[i].start,
        end: tokens[hit.last].end,
      });
    }
    i = hit.last + 1;
  }
  return matches;
}
