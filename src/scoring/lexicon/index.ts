import type { Language } from '../../domain/decision';
import { loadDefaultLexicon } from './default-lexicon';
import { findLexiconMatches, type LexiconMatch } from './match';
import { detectLanguage } from '../../triage/language';

export { compileLexicon, expandAlternatives, LEXICON_LABELS } from './compile';
export type { Lexicon, LexiconEntry, LexiconLabel, WordList } from './compile';
export { loadDefaultLexicon } from './default-lexicon';
export { LexiconScorer, scoreLexiconMatches, LEXICON_SCORER_LABELS } from './lexicon.scorer';
export { findLexiconMatches, mergeObfuscatedTokens } from './match';
export type { LexiconMatch } from './match';

/** Word-list matches in `text` against the shipped lists, spans in the original text. */
export function matchLexicon(text: string, language: Language = detectLanguage(text)): LexiconMatch[] {
  return findLexiconMatches(text, loadDefaultLexicon(), language);
}
