import { normaliseText } from '../normalise';
import type { LexiconMatch } from './match';

/**
 * Use or mention? A word-list phrase inside quotation marks, or named by a reporting frame
 * ("il m'a traité de …", "the word …", "called me a …"), is talked about rather than thrown at
 * someone: counter-speech, a reader reporting abuse, a journalist quoting a threat. Such matches
 * are kept (moderators still see the span) but count one severity step lower, so a quoted slur
 * or threat goes to review instead of being rejected automatically, and a quoted insult is left
 * to the model. Trolls who wrap an insult in quotes are still scored by the model.
 */
export type MentionKind = 'quoted' | 'reported';

/** Opening mark → closing marks that pair with it. Single quotes are apostrophes in French, so they are ignored. */
const QUOTE_PAIRS: Record<string, string> = { '«': '»', '“': '”', '„': '“”', '‹': '›', '"': '"' };
/** A quotation longer than this is not a quote but an unbalanced mark: ignored. */
const MAX_QUOTE_LENGTH = 300;

/** Reporting frames just before the phrase (folded text: lower case, no accents), an article or opening mark allowed between. */
const REPORTING_FRAMES: RegExp[] = [
  // "m'a traité de", "l'a traitée de", "se faire traiter de", "traiter les gens de", "traités de"
  /\btrait(?:e|es|ee|ees|er|ait|aient|ant|ent)\s+(?:[\p{L}'’-]+\s+){0,3}?d(?:e\s+|['’]\s*)$/u,
  /\b(?:qualifi|insult|appel)(?:e|es|ee|ees|er|ait|aient|ant)\s+(?:[\p{L}'’-]+\s+){0,3}?d(?:e\s+|['’]\s*)$/u,
  /\b(?:le|les|des|du|ce|ces)\s+(?:mot|mots|terme|termes|insulte|insultes|injure|injures|expression)(?:\s+(?:comme|tels? que|de))?\s+$/u,
  /\b(?:a|ont|avait|avaient)\s+(?:ecrit|dit|crie|lance|tweete|poste|publie)\s*:?\s+$/u,
  /\bcall(?:ed|ing|s)?\s+(?:me|him|her|them|us|people|someone|somebody|others|anyone|my \w+|his \w+|her \w+)\s+(?:an?\s+)?$/u,
  /\b(?:the|that|this|those|these)\s+(?:word|words|term|terms|slur|slurs|insult|insults|phrase)(?:\s+(?:like|such as))?\s+$/u,
  /\b(?:words|slurs|insults|terms)\s+(?:like|such as)\s+$/u,
  /\b(?:said|wrote|tweeted|posted|shouted|yelled|wrote that)\s*:?\s+$/u,
];
/** "je te traite de", "I call you a": a reporting verb aimed at the reader is a use. */
const ADDRESSED_FRAME = /\b(?:je\s+(?:te|t['’]|vous)|on\s+(?:te|t['’]|vous)|i\s+call\s+you|we\s+call\s+you)\b[^.!?\n]*$/u;
/** How far back a reporting frame may start. */
const FRAME_WINDOW = 60;
const ARTICLE_OR_MARK = /(?:\s*(?:[«“„‹"]|\b(?:un|une|des|une? sale|a|an|the)\b)\s*)*$/u;

/** Ranges [start, end) of text between paired quotation marks. */
export function findQuotedRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let i = 0;
  while (i < text.length) {
    const closers = QUOTE_PAIRS[text[i]];
    if (closers === undefined) {
      i++;
      continue;
    }
    let close = -1;
    for (let j = i + 1; j < text.length && j - i <= MAX_QUOTE_LENGTH; j++) {
      if (closers.includes(text[j])) {
        close = j;
        break;
      }
    }
    if (close < 0) {
      i++;
      continue;
    }
    ranges.push([i + 1, close]);
    i = close + 1;
  }
  return ranges;
}

function isQuoted(match: LexiconMatch, quoted: Array<[number, number]>): boolean {
  return quoted.some(([start, end]) => match.start >= start && match.end <= end);
}

function isReported(text: string, match: LexiconMatch): boolean {
  const before = text.slice(Math.max(0, match.start - FRAME_WINDOW), match.start);
  // Only the current sentence counts.
  const sentence = before.split(/[.!?\n]\s/).pop() ?? before;
  const folded = normaliseText(sentence).text;
  if (ADDRESSED_FRAME.test(folded)) return false;
  const frame = folded.replace(ARTICLE_OR_MARK, ' ').replace(/\s+$/, ' ');
  return REPORTING_FRAMES.some((pattern) => pattern.test(frame));
}

/** The same matches, those that are mentioned rather than used marked with how. */
export function markMentions(text: string, matches: readonly LexiconMatch[]): LexiconMatch[] {
  if (matches.length === 0) return [];
  const quoted = findQuotedRanges(text);
  return matches.map((match) => {
    const mention: MentionKind | undefined = isQuoted(match, quoted) ? 'quoted' : isReported(text, match) ? 'reported' : undefined;
    return mention ? { ...match, mention } : match;
  });
}
