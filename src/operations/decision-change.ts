import type { Decision, Reason } from '../domain/decision';
import { topLabelOf } from '../domain/severity';
import type { LabelScores } from '../domain/labels';

const RANK: Record<Decision, number> = { approve: 0, review: 1, reject: 2 };

/** "approve→review"; a comment never decided before counts as "none". */
export function flipKey(from: Decision | null, to: Decision): string {
  return `${from ?? 'none'}→${to}`;
}

export function isStricter(from: Decision | null, to: Decision): boolean {
  return from === null || RANK[to] > RANK[from];
}

/**
 * The label a flip is filed under: for a stricter decision, the label the new decision's reasons
 * name (else its top score); for a milder one, the label that drove the old decision.
 */
export function flipLabel(
  from: Decision | null,
  to: Decision,
  next: { reasons: readonly Reason[]; scores: LabelScores },
  previousTopLabel: string | null,
): string {
  if (to === 'approve') return previousTopLabel ?? 'none';
  if (isStricter(from, to)) {
    const level = to === 'reject' ? 'threshold_reject' : 'threshold_review';
    const candidates = next.reasons.filter((r) => r.label !== undefined && r.code === level);
    // The highest score at the new decision's level; on a tie the specific label (insult, threat…)
    // rather than the umbrella "toxicity".
    candidates.sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || Number(a.label === 'toxicity') - Number(b.label === 'toxicity'));
    const reasonLabel = candidates[0]?.label ?? next.reasons.find((r) => r.label !== undefined)?.label;
    return reasonLabel ?? flaggedTopLabel(next.scores) ?? 'none';
  }
  return previousTopLabel ?? flaggedTopLabel(next.scores) ?? 'none';
}

function flaggedTopLabel(scores: LabelScores): string | null {
  const label = topLabelOf(scores);
  return label !== null && (scores[label as keyof LabelScores] ?? 0) > 0 ? label : null;
}

/** A short single-line excerpt for terminal examples. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
