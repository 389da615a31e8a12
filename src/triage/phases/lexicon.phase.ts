import type { Phase } from '../pipeline';

/** Word-list hits become highlighted spans and reasons; whether they flag is up to the thresholds. */
export const markLexiconMatchesPhase: Phase = (input) => {
  if (input.lexiconMatches.length === 0) return undefined;
  return {
    spans: input.lexiconMatches.map((match) => ({
      start: match.start,
      end: match.end,
      label: match.label,
      source: 'lexicon' as const,
    })),
    reasons: input.lexiconMatches.map((match) => ({
      code: 'lexicon_match',
      message: `word list (${match.language}, severity ${match.severity}${match.mention ? `, ${match.mention}: counted one step lower` : ''}): "${match.phrase}"`,
      label: match.label,
    })),
  };
};
