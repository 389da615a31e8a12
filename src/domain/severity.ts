import { LABELS, type LabelScores } from './labels';

/**
 * Sort key of the review queue: threats and severe toxicity above everything else, then the
 * highest label score. Range [0, 2].
 */
export function severityOf(scores: LabelScores): number {
  const urgent = Math.max(scores.threat ?? 0, scores.severe_toxicity ?? 0);
  const highest = Math.max(0, ...LABELS.map((label) => scores[label] ?? 0));
  return urgent >= 0.5 ? 1 + urgent : highest;
}

export function topLabelOf(scores: LabelScores): string | null {
  let best: string | null = null;
  let bestScore = -1;
  for (const label of LABELS) {
    const value = scores[label];
    if (value !== undefined && value > bestScore) {
      best = label;
      bestScore = value;
    }
  }
  return best;
}
