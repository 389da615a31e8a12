export interface Sentence {
  text: string;
  /** range in the text that was split */
  start: number;
  end: number;
}

/** Titles and abbreviations whose period does not end a sentence ("M. Barrot", "etc. et"). */
const ABBREVIATIONS = new Set(['m', 'mm', 'mme', 'mmes', 'mlle', 'dr', 'pr', 'st', 'ste', 'mr', 'mrs', 'ms', 'vs', 'etc', 'cf', 'p', 'no', 'jr', 'sr', 'prof', 'gen', 'av', 'bd']);
const TERMINATORS = new Set(['.', '!', '?', '…', '。', '؟']);
const CLOSERS = new Set(['"', "'", '»', '”', '’', ')', ']', '*']);

function isWhitespace(char: string | undefined): boolean {
  return char !== undefined && /\s/.test(char);
}

function precedingWord(text: string, dot: number): string {
  let start = dot;
  while (start > 0 && /\p{L}/u.test(text[start - 1])) start--;
  return text.slice(start, dot).toLowerCase();
}

/** True when the terminator run ending at `end` closes a sentence (followed by space or end). */
function endsSentence(text: string, runStart: number, end: number): boolean {
  if (end < text.length && !isWhitespace(text[end])) return false;
  if (end - runStart === 1 && text[runStart] === '.') {
    const word = precedingWord(text, runStart);
    if (ABBREVIATIONS.has(word) || (word.length === 1 && /\p{Lu}/u.test(text[runStart - 1]))) return false;
  }
  return true;
}

function pushTrimmed(sentences: Sentence[], text: string, start: number, end: number): void {
  while (start < end && isWhitespace(text[start])) start++;
  while (end > start && isWhitespace(text[end - 1])) end--;
  if (end > start) sentences.push({ text: text.slice(start, end), start, end });
}

/**
 * Splits French or English text into sentences with their offsets: on . ! ? … (runs such as
 * "?!" or "..." count once, closing quotes stay with their sentence) and on line breaks.
 */
export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '\n' || char === '\r') {
      pushTrimmed(sentences, text, start, i);
      start = i + 1;
      i++;
      continue;
    }
    if (!TERMINATORS.has(char)) {
      i++;
      continue;
    }
    const runStart = i;
    while (i < text.length && (TERMINATORS.has(text[i]) || text[i] === ' ' && TERMINATORS.has(text[i + 1] ?? ''))) i++;
    // French typography puts a (no-break) space before the closing guillemet: "? »".
    while (i < text.length && (CLOSERS.has(text[i]) || (/[ \u00a0\u202f]/.test(text[i]) && CLOSERS.has(text[i + 1] ?? '')))) i++;
    if (endsSentence(text, runStart, i)) {
      pushTrimmed(sentences, text, start, i);
      start = i;
    }
  }
  pushTrimmed(sentences, text, start, text.length);
  return sentences;
}
