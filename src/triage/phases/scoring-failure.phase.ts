import type { Phase } from '../pipeline';

/** Fail closed: a comment a scorer could not score is never approved on the others' word alone. */
export const flagScoringFailuresPhase: Phase = (input) => {
  if (input.failures.length === 0) return undefined;
  return {
    decision: 'review',
    reasons: input.failures.map((failure) => ({
      code: 'scoring_failed',
      message: `scorer ${failure.scorer} failed: ${failure.message}`,
    })),
  };
};
