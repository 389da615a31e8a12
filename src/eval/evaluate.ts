import { LABELS, type Label, type LabelScores } from '../domain/labels';
import type { PolicyThresholds } from './policy-thresholds';
import { thresholdsFor } from './policy-thresholds';
import { averagePrecision, precisionRecallAt, rocAuc, thresholdForPrecision, type ThresholdStats } from './metrics';

/** One scored, labelled item. Gold labels may be fractions (binarised at 0.5) or absent (not annotated). */
export interface ScoredItem {
  gold: Partial<Record<Label, number>>;
  scores: LabelScores;
  lang?: string;
}

export interface LabelReport {
  n: number;
  positives: number;
  rocAuc: number;
  averagePrecision: number;
  /** At the policy thresholds, counting score > threshold as flagged (the policy's rule). */
  atReview?: ThresholdStats;
  atReject?: ThresholdStats;
  /** Lowest threshold reaching the target precision (undefined when none does). */
  suggested?: ThresholdStats;
}

export interface EvalReport {
  n: number;
  targetPrecision: number;
  labels: Partial<Record<Label, LabelReport>>;
  byLanguage: Record<string, { n: number; labels: Partial<Record<Label, LabelReport>> }>;
}

export interface EvaluateOptions {
  policy?: PolicyThresholds;
  targetPrecision?: number;
  /** Minimum flagged items for a suggested threshold (avoids precision 1.0 on one item). */
  minFlagged?: number;
}

export function evaluateItems(items: readonly ScoredItem[], opts: EvaluateOptions = {}): EvalReport {
  const targetPrecision = opts.targetPrecision ?? 0.8;
  const byLang = new Map<string, ScoredItem[]>();
  for (const item of items) {
    const lang = item.lang ?? 'unknown';
    byLang.set(lang, [...(byLang.get(lang) ?? []), item]);
  }
  const byLanguage: EvalReport['byLanguage'] = {};
  for (const [lang, group] of [...byLang].sort(([a], [b]) => a.localeCompare(b))) {
    byLanguage[lang] = { n: group.length, labels: reportLabels(group, lang, targetPrecision, opts) };
  }
  return { n: items.length, targetPrecision, labels: reportLabels(items, 'default', targetPrecision, opts), byLanguage };
}

function reportLabels(
  items: readonly ScoredItem[],
  lang: string,
  targetPrecision: number,
  opts: EvaluateOptions,
): Partial<Record<Label, LabelReport>> {
  const out: Partial<Record<Label, LabelReport>> = {};
  for (const label of LABELS) {
    const scores: number[] = [];
    const gold: number[] = [];
    for (const item of items) {
      const g = item.gold[label];
      const s = item.scores[label];
      if (g === undefined || Number.isNaN(g) || s === undefined) continue;
      scores.push(s);
      gold.push(g >= 0.5 ? 1 : 0);
    }
    if (scores.length === 0) continue;
    const positives = gold.reduce((a, b) => a + b, 0);
    const report: LabelReport = {
      n: scores.length,
      positives,
      rocAuc: rocAuc(scores, gold),
      averagePrecision: averagePrecision(scores, gold),
      suggested: thresholdForPrecision(scores, gold, targetPrecision, opts.minFlagged ?? 5),
    };
    if (opts.policy) {
      const t = thresholdsFor(opts.policy, lang);
      if (t.review[label] !== undefined) report.atReview = precisionRecallAt(scores, gold, t.review[label] as number, { strict: true });
      if (t.reject[label] !== undefined) report.atReject = precisionRecallAt(scores, gold, t.reject[label] as number, { strict: true });
    }
    out[label] = report;
  }
  return out;
}
