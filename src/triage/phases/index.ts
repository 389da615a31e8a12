import type { Phase } from '../pipeline';
import { detectLanguagePhase } from './detect-language.phase';
import { noteEmptyTextPhase } from './empty-text.phase';
import { markLexiconMatchesPhase } from './lexicon.phase';
import { markModelSentencesPhase } from './model-spans.phase';
import { flagScoringFailuresPhase } from './scoring-failure.phase';
import { applyThresholdsPhase } from './thresholds.phase';
import { flagTruncationPhase } from './truncation.phase';

export {
  detectLanguagePhase,
  noteEmptyTextPhase,
  markLexiconMatchesPhase,
  markModelSentencesPhase,
  flagScoringFailuresPhase,
  applyThresholdsPhase,
  flagTruncationPhase,
};

/** The order a comment meets the rules; language first because thresholds depend on it. */
export const TRIAGE_PHASES: readonly Phase[] = [
  detectLanguagePhase,
  flagTruncationPhase,
  flagScoringFailuresPhase,
  noteEmptyTextPhase,
  markLexiconMatchesPhase,
  applyThresholdsPhase,
  markModelSentencesPhase,
];
