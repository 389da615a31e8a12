import type { Language } from '../../domain/decision';
import type { Label, LabelScores } from '../../domain/labels';
import { detectLanguageOfTokens } from '../../triage/language';
import { tokenise, type Token } from '../normalise';
import type { Scorer } from '../scorer';
import { LEXICON_LABELS, type Lexicon } from './compile';
import { loadDefaultLexicon } from './default-lexicon';
import { findLexiconMatchesInTokens, type LexiconMatch } from './match';
import { markMentions } from './mention';

/**
 * Severity → probability. Placeholders until calibrated against labelled data: mild profanity
 * stays under review thresholds, targeted insults reach review, slurs and threats reach reject.
 */
const PROBABILITY_BY_SEVERITY = { 1: 0.35, 2: 0.75, 3: 0.95 } as const;
const SEVERE_TOXICITY_BY_SEVERITY = { 1: 0.05, 2: 0.3, 3: 0.85 } as const;

export const LEXICON_SCORER_LABELS: readonly Label[] = ['toxicity', 'severe_toxicity', ...LEXICON_LABELS];

/** A phrase mentioned rather than used (quoted, reported) counts one severity step lower. */
function effectiveSeverity(match: LexiconMatch): 1 | 2 | 3 {
  if (!match.mention) return match.severity;
  return match.severity === 3 ? 2 : 1;
}

/** Label probabilities from word-list matches: the strongest match per label wins (no summing). */
export function scoreLexiconMatches(matches: readonly LexiconMatch[]): LabelScores {
  const scores: LabelScores = {};
  for (const label of LEXICON_SCORER_LABELS) scores[label] = 0;
  for (const match of matches) {
    const severity = effectiveSeverity(match);
    const probability = PROBABILITY_BY_SEVERITY[severity];
    scores[match.label] = Math.max(scores[match.label] ?? 0, probability);
    scores.toxicity = Math.max(scores.toxicity ?? 0, probability);
    scores.severe_toxicity = Math.max(scores.severe_toxicity ?? 0, SEVERE_TOXICITY_BY_SEVERITY[severity]);
  }
  return scores;
}

export class LexiconScorer implements Scorer {
  readonly name = 'lexicon';
  readonly version: string;
  readonly labels = LEXICON_SCORER_LABELS;

  constructor(private readonly lexicon: Lexicon = loadDefaultLexicon()) {
    this.version = lexicon.version;
  }

  /** Matches with spans in `text`; the language gates ambiguous entries and is detected when absent. */
  match(text: string, language?: Language): LexiconMatch[] {
    const tokens = tokenise(text);
    return this.matchTokens(text, tokens, language ?? detectLanguageOfTokens(tokens, text));
  }

  /** For callers that already tokenised `text` (the engine does, to detect the language). */
  matchTokens(text: string, tokens: Token[], language: Language): LexiconMatch[] {
    return markMentions(text, findLexiconMatchesInTokens(tokens, this.lexicon, language));
  }

  async score(texts: string[]): Promise<LabelScores[]> {
    return texts.map((text) => scoreLexiconMatches(this.match(text)));
  }
}
