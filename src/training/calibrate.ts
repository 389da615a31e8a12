import { LABELS, type Label } from '../domain/labels';
import type { ScoredItem } from '../eval/evaluate';
import { thresholdForPrecision, thresholdForRecall } from '../eval/metrics';
import type { LabelThresholds, PolicyThresholds } from '../eval/policy-thresholds';

export interface CalibrationOptions {
  /** Review catches at least this share of positives... */
  reviewRecall: number;
  /** ...unless a higher threshold still has this precision (keeps the queue usable). */
  reviewMinPrecision: number;
  /** Reject (auto-hide) only at this precision. */
  rejectPrecision: number;
  /** Minimum positives and negatives for a label to be calibrated on a group. */
  minPerClass: number;
  /** Used when a label cannot be calibrated anywhere (no annotated development data). */
  fallback: { review: number; reject: number };
  version: string;
}

export const DEFAULT_CALIBRATION: Omit<CalibrationOptions, 'version'> = {
  reviewRecall: 0.8,
  reviewMinPrecision: 0.5,
  rejectPrecision: 0.9,
  minPerClass: 15,
  fallback: { review: 0.8, reject: 0.98 },
};

export interface CalibratedLabel {
  review: number;
  reject: number;
  /** Where the numbers come from: the group that was used, or "fallback". */
  basis: string;
  n: number;
  positives: number;
}

/**
 * Policy thresholds from development predictions, per language ("fr", "en") and overall
 * ("default", also used for "other"). Review: highest threshold keeping `reviewRecall`, raised to
 * the lowest threshold reaching `reviewMinPrecision` if that is higher. Reject: lowest threshold
 * whose precision reaches `rejectPrecision` with at least 5 flagged items, else 0.99.
 */
export function calibrateThresholds(
  items: readonly ScoredItem[],
  opts: CalibrationOptions,
): { policy: PolicyThresholds; details: Record<string, Partial<Record<Label, CalibratedLabel>>> } {
  const groups: Record<string, readonly ScoredItem[]> = {
    default: items,
    fr: items.filter((i) => i.lang === 'fr'),
    en: items.filter((i) => i.lang === 'en'),
  };
  const details: Record<string, Partial<Record<Label, CalibratedLabel>>> = {};
  const thresholds: PolicyThresholds['thresholds'] = { default: { review: {}, reject: {} } };
  for (const [group, groupItems] of Object.entries(groups)) {
    details[group] = {};
    const review: LabelThresholds = {};
    const reject: LabelThresholds = {};
    for (const label of LABELS) {
      const c = calibrateLabel(groupItems, label, opts);
      if (!c && group !== 'default') continue; // the language inherits the default
      const chosen = c ?? { ...opts.fallback, basis: 'fallback', n: 0, positives: 0 };
      details[group][label] = { ...chosen, basis: c ? group : 'fallback' };
      review[label] = round3(chosen.review);
      reject[label] = round3(chosen.reject);
    }
    thresholds[group] = { review, reject };
  }
  thresholds.other = { review: { ...thresholds.default.review }, reject: { ...thresholds.default.reject } };
  return { policy: { version: opts.version, maxTextLength: 10000, thresholds }, details };
}

function calibrateLabel(items: readonly ScoredItem[], label: Label, opts: CalibrationOptions): Omit<CalibratedLabel, 'basis'> | undefined {
  const scores: number[] = [];
  const gold: number[] = [];
  for (const item of items) {
    const g = item.gold[label];
    const s = item.scores[label];
    if (g === undefined || Number.isNaN(g) || s === undefined) continue;
    scores.push(s);
    gold.push(g >= 0.5 ? 1 : 0);
  }
  const positives = gold.reduce((a, b) => a + b, 0);
  if (positives < opts.minPerClass || gold.length - positives < opts.minPerClass) return undefined;
  const byRecall = thresholdForRecall(scores, gold, opts.reviewRecall);
  const byPrecision = thresholdForPrecision(scores, gold, opts.reviewMinPrecision, 5);
  let review = byRecall?.threshold ?? opts.fallback.review;
  if (byPrecision && byPrecision.threshold > review) review = byPrecision.threshold;
  const rejectStats = thresholdForPrecision(scores, gold, opts.rejectPrecision, 5);
  const reject = Math.max(rejectStats?.threshold ?? 0.99, review);
  return { review, reject, n: gold.length, positives };
}

/** Rounds down so that the calibrating score itself stays strictly above the threshold (the policy flags score > threshold). */
function round3(x: number): number {
  return Math.max(0, Math.ceil(x * 1000) - 1) / 1000;
}
