import type { Span } from '../../domain/decision';
import { LABELS } from '../../domain/labels';
import type { Phase } from '../pipeline';
import { resolveThresholds } from '../policy';

/**
 * For each label the model flags, highlights the sentences scored above the review threshold, or
 * the single highest-scoring sentence when the flag comes from the whole comment only.
 */
export const markModelSentencesPhase: Phase = (input, policy, outcome) => {
  if (input.sentenceScores.length === 0) return undefined;
  const { review } = resolveThresholds(policy, outcome.language);
  const spans: Span[] = [];
  for (const label of LABELS) {
    const threshold = review[label];
    const whole = input.scores[label];
    if (threshold === undefined) continue;
    const above = input.sentenceScores.filter((sentence) => (sentence.scores[label] ?? 0) > threshold);
    if (above.length === 0 && (whole === undefined || whole <= threshold)) continue;
    const carriers = above.length > 0 ? above : [highestFor(input.sentenceScores, label)];
    for (const sentence of carriers) {
      if ((sentence.scores[label] ?? 0) > 0) spans.push({ start: sentence.start, end: sentence.end, label, source: 'model' });
    }
  }
  return spans.length > 0 ? { spans } : undefined;
};

function highestFor<T extends { scores: Partial<Record<string, number>> }>(sentences: T[], label: string): T {
  return sentences.reduce((best, sentence) => ((sentence.scores[label] ?? 0) > (best.scores[label] ?? 0) ? sentence : best));
}
