/**
 * Ranking and threshold metrics for binary labels. Scores are probabilities; labels are 0/1
 * (fractions are binarised at 0.5 by the caller).
 */

/** ROC-AUC by the rank-sum (Mann–Whitney) formula; tied scores share their average rank. NaN if one class is missing. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]] === 1) {
        positives++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSumPos - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision = Σ (R_k − R_{k−1}) · P_k over distinct score thresholds, high to low
 * (scikit-learn's definition: tied scores enter together). NaN without positives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const curve = precisionRecallCurve(scores, labels);
  if (curve.positives === 0) return NaN;
  let ap = 0;
  let prevRecall = 0;
  for (const p of curve.points) {
    ap += (p.recall - prevRecall) * p.precision;
    prevRecall = p.recall;
  }
  return ap;
}

export interface CurvePoint {
  /** Predict positive when score ≥ threshold. */
  threshold: number;
  precision: number;
  recall: number;
  truePositives: number;
  falsePositives: number;
}

/** One point per distinct score, from the highest threshold to the lowest. */
export function precisionRecallCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): { points: CurvePoint[]; positives: number } {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
  const points: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < n) {
    const s = scores[idx[i]];
    while (i < n && scores[idx[i]] === s) {
      if (labels[idx[i]] === 1) tp++;
      else fp++;
      i++;
    }
    points.push({
      threshold: s,
      precision: tp / (tp + fp),
      recall: positives > 0 ? tp / positives : NaN,
      truePositives: tp,
      falsePositives: fp,
    });
  }
  return { points, positives };
}

export interface ThresholdStats {
  threshold: number;
  precision: number;
  recall: number;
  flagged: number;
}

/**
 * Precision and recall when flagging score ≥ threshold (score > threshold with `strict`, the
 * triage policy's rule); precision is NaN when nothing is flagged.
 */
export function precisionRecallAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
  opts: { strict?: boolean } = {},
): ThresholdStats {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    const pos = labels[i] === 1;
    if (pos) positives++;
    if (opts.strict ? scores[i] > threshold : scores[i] >= threshold) {
      if (pos) tp++;
      else fp++;
    }
  }
  return {
    threshold,
    precision: tp + fp > 0 ? tp / (tp + fp) : NaN,
    recall: positives > 0 ? tp / positives : NaN,
    flagged: tp + fp,
  };
}

/**
 * Lowest threshold whose precision reaches `targetPrecision` (so recall is as high as possible
 * at that precision), among thresholds flagging at least `minFlagged` items. Undefined when no
 * threshold reaches it.
 */
export function thresholdForPrecision(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  targetPrecision: number,
  minFlagged = 1,
): ThresholdStats | undefined {
  const { points } = precisionRecallCurve(scores, labels);
  let best: CurvePoint | undefined;
  for (const p of points) {
    if (p.truePositives + p.falsePositives >= minFlagged && p.precision >= targetPrecision) best = p;
  }
  return best && { threshold: best.threshold, precision: best.precision, recall: best.recall, flagged: best.truePositives + best.falsePositives };
}

/** Highest threshold whose recall reaches `targetRecall`. Undefined without positives. */
export function thresholdForRecall(scores: ArrayLike<number>, labels: ArrayLike<number>, targetRecall: number): ThresholdStats | undefined {
  const { points, positives } = precisionRecallCurve(scores, labels);
  if (positives === 0) return undefined;
  const p = points.find((pt) => pt.recall >= targetRecall);
  return p && { threshold: p.threshold, precision: p.precision, recall: p.recall, flagged: p.truePositives + p.falsePositives };
}
