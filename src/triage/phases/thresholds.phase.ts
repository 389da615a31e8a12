import type { Decision, Reason } from '../../domain/decision';
import { LABELS } from '../../domain/labels';
import type { Phase } from '../pipeline';
import { resolveThresholds } from '../policy';

/** A label flags only when its score is strictly above the threshold for the comment's language. */
export const applyThresholdsPhase: Phase = (input, policy, outcome) => {
  const thresholds = resolveThresholds(policy, outcome.language);
  const reasons: Reason[] = [];
  let decision: Decision = 'approve';
  for (const label of LABELS) {
    const score = input.scores[label];
    if (score === undefined) continue;
    const reject = thresholds.reject[label];
    const review = thresholds.review[label];
    if (reject !== undefined && score > reject) {
      decision = 'reject';
      reasons.push({ code: 'threshold_reject', message: `${label} ${score.toFixed(2)} > reject threshold ${reject}`, label, score, threshold: reject });
    } else if (review !== undefined && score > review) {
      if (decision === 'approve') decision = 'review';
      reasons.push({ code: 'threshold_review', message: `${label} ${score.toFixed(2)} > review threshold ${review}`, label, score, threshold: review });
    }
  }
  return reasons.length > 0 ? { decision, reasons } : undefined;
};
