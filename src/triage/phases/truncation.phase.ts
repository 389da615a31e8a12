import type { Phase } from '../pipeline';

/** Text past the cap was never scored, so a human looks at it. */
export const flagTruncationPhase: Phase = (input, policy) => {
  if (input.originalLength <= input.text.length) return undefined;
  return {
    decision: 'review',
    reasons: [
      {
        code: 'text_truncated',
        message: `only the first ${input.text.length} of ${input.originalLength} characters were scored (cap ${policy.maxTextLength})`,
      },
    ],
  };
};
