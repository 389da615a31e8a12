import type { Decision } from '../domain/decision';
import { LABELS, type Label } from '../domain/labels';
import type { ModeratedPair } from '../store/rescore.repository';
import type { Policy } from '../triage/policy';
import { excerpt } from './decision-change';

/** Confusion counts of "the machine flagged it (review or reject)" against "a moderator rejected it". */
export interface Agreement {
  compared: number;
  agreement: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** of the comments the machine flagged, the share moderators rejected */
  precision: number | null;
  /** of the comments moderators rejected, the share the machine flagged */
  recall: number | null;
}

export interface LabelAgreement {
  /** comments the machine flagged for this label (a threshold reason names it) */
  flagged: number;
  /** of those, rejected by a moderator */
  confirmed: number;
  precision: number | null;
}

export interface Example {
  commentId: string;
  language: string | null;
  machine: Decision;
  moderator: Decision;
  moderatorActor: string;
  topLabel: string | null;
  topScore: number | null;
  excerpt: string;
}

export interface ThresholdSuggestion {
  label: Label;
  language: 'default' | 'fr' | 'en' | 'other';
  /** write this: comments scoring strictly above it are auto-rejected */
  threshold: number;
  current: number | null;
  precision: number;
  recall: number;
  flagged: number;
  positives: number;
  /** raised to the review threshold so that reject never sits below review */
  clamped?: boolean;
}

export interface AgreementReport {
  pairs: number;
  /** moderators escalated (decision "review"): neither a yes nor a no, left out */
  escalated: number;
  overall: Agreement;
  byLanguage: Record<string, Agreement>;
  byLabel: Record<string, LabelAgreement>;
  byLabelAndLanguage: Record<string, Record<string, LabelAgreement>>;
  falsePositives: Example[];
  falseNegatives: Example[];
  targetPrecision: number;
  suggestions: ThresholdSuggestion[];
  /** labels (and languages) without enough moderator decisions for a suggestion */
  insufficient: string[];
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

const emptyCounts = (): Counts => ({ tp: 0, fp: 0, fn: 0, tn: 0 });
const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

function toAgreement(c: Counts): Agreement {
  const compared = c.tp + c.fp + c.fn + c.tn;
  return {
    compared,
    agreement: ratio(c.tp + c.tn, compared) ?? 0,
    truePositives: c.tp,
    falsePositives: c.fp,
    falseNegatives: c.fn,
    trueNegatives: c.tn,
    precision: ratio(c.tp, c.tp + c.fp),
    recall: ratio(c.tp, c.tp + c.fn),
  };
}

/**
 * Accumulates moderator/machine pairs page by page (only numbers are kept per pair, so a large
 * history fits), then summarises agreement and suggests reject thresholds.
 */
export class AgreementAccumulator {
  private pairs = 0;
  private escalated = 0;
  private readonly overall = emptyCounts();
  private readonly byLanguage = new Map<string, Counts>();
  private readonly byLabel = new Map<string, Map<string, { flagged: number; confirmed: number }>>();
  /** per language: per label, the scores, and whether a moderator rejected */
  private readonly scores = new Map<string, { label: Label; values: number[]; positive: boolean[] }[]>();
  private readonly fpExamples: Example[] = [];
  private readonly fnExamples: Example[] = [];

  constructor(private readonly examples = 5) {}

  add(pair: ModeratedPair): void {
    this.pairs++;
    if (pair.moderator === 'review') {
      this.escalated++;
      return;
    }
    const positive = pair.moderator === 'reject';
    const flagged = pair.machine !== 'approve';
    const language = pair.language ?? 'other';
    const key: keyof Counts = positive ? (flagged ? 'tp' : 'fn') : flagged ? 'fp' : 'tn';
    this.overall[key]++;
    let lang = this.byLanguage.get(language);
    if (!lang) this.byLanguage.set(language, (lang = emptyCounts()));
    lang[key]++;

    const flaggedLabels = new Set(pair.reasons.filter((r) => r.label && r.code.startsWith('threshold_')).map((r) => r.label as string));
    for (const label of flaggedLabels) {
      for (const scope of ['all', language]) {
        let labels = this.byLabel.get(scope);
        if (!labels) this.byLabel.set(scope, (labels = new Map()));
        const entry = labels.get(label) ?? { flagged: 0, confirmed: 0 };
        entry.flagged++;
        if (positive) entry.confirmed++;
        labels.set(label, entry);
      }
    }
    for (const scope of ['default', language]) {
      let perLabel = this.scores.get(scope);
      if (!perLabel) this.scores.set(scope, (perLabel = LABELS.map((label) => ({ label, values: [], positive: [] }))));
      for (const entry of perLabel) {
        const value = pair.scores[entry.label];
        if (typeof value !== 'number') continue;
        entry.values.push(value);
        entry.positive.push(positive);
      }
    }
    const wrong = flagged !== positive;
    const list = positive ? this.fnExamples : this.fpExamples;
    if (wrong && list.length < this.examples) {
      let topLabel: string | null = null;
      let topScore: number | null = null;
      for (const label of LABELS) {
        const v = pair.scores[label];
        if (typeof v === 'number' && (topScore === null || v > topScore)) (topLabel = label), (topScore = v);
      }
      list.push({
        commentId: pair.commentId,
        language: pair.language,
        machine: pair.machine,
        moderator: pair.moderator,
        moderatorActor: pair.moderatorActor,
        topLabel,
        topScore,
        excerpt: excerpt(pair.text),
      });
    }
  }

  report(policy: Policy, options: { targetPrecision: number; minPositives?: number; minFlagged?: number }): AgreementReport {
    const minPositives = options.minPositives ?? 10;
    const minFlagged = options.minFlagged ?? 5;
    const labelAgreement = (scope: string) =>
      Object.fromEntries(
        [...(this.byLabel.get(scope) ?? new Map<string, { flagged: number; confirmed: number }>()).entries()]
          .sort()
          .map(([label, e]) => [label, { flagged: e.flagged, confirmed: e.confirmed, precision: ratio(e.confirmed, e.flagged) }]),
      );
    const suggestions: ThresholdSuggestion[] = [];
    const insufficient: string[] = [];
    for (const [scope, perLabel] of [...this.scores.entries()].sort(([a], [b]) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)))) {
      const language = scope as ThresholdSuggestion['language'];
      for (const { label, values, positive } of perLabel) {
        const positives = positive.filter(Boolean).length;
        const where = scope === 'default' ? label : `${label} (${scope})`;
        if (positives < minPositives) {
          if (scope === 'default') insufficient.push(`${where}: ${positives} moderator rejections with a score (need ${minPositives})`);
          continue;
        }
        const found = thresholdForPrecision(values, positive, options.targetPrecision, minFlagged);
        if (!found) {
          if (scope === 'default') insufficient.push(`${where}: no threshold reaches precision ${options.targetPrecision}`);
          continue;
        }
        const current = currentThreshold(policy, language, label, 'reject');
        const review = currentThreshold(policy, language, label, 'review');
        const suggestion: ThresholdSuggestion = { label, language, current, ...found, positives };
        if (review !== null && suggestion.threshold < review) {
          suggestion.threshold = review;
          suggestion.clamped = true;
        }
        suggestions.push(suggestion);
      }
    }
    const byLabelAndLanguage: Record<string, Record<string, LabelAgreement>> = {};
    for (const scope of this.byLabel.keys()) if (scope !== 'all') byLabelAndLanguage[scope] = labelAgreement(scope);
    return {
      pairs: this.pairs,
      escalated: this.escalated,
      overall: toAgreement(this.overall),
      byLanguage: Object.fromEntries([...this.byLanguage.entries()].sort().map(([l, c]) => [l, toAgreement(c)])),
      byLabel: labelAgreement('all'),
      byLabelAndLanguage,
      falsePositives: this.fpExamples,
      falseNegatives: this.fnExamples,
      targetPrecision: options.targetPrecision,
      suggestions,
      insufficient,
    };
  }
}

function currentThreshold(policy: Policy, language: ThresholdSuggestion['language'], label: Label, level: 'review' | 'reject'): number | null {
  const specific = language === 'default' ? undefined : policy.thresholds[language]?.[level]?.[label];
  return specific ?? policy.thresholds.default[level][label] ?? null;
}

/**
 * The lowest cut (most recall) whose precision reaches the target, flagging at least
 * `minFlagged` comments. Policies flag scores strictly ABOVE a threshold, so the value returned
 * sits between the lowest flagged score and the next lower one.
 */
export function thresholdForPrecision(
  values: readonly number[],
  positive: readonly boolean[],
  target: number,
  minFlagged: number,
): { threshold: number; precision: number; recall: number; flagged: number } | undefined {
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  const positives = positive.filter(Boolean).length;
  let tp = 0;
  let fp = 0;
  let best: { cut: number; next: number; precision: number; recall: number; flagged: number } | undefined;
  let i = 0;
  while (i < order.length) {
    const score = values[order[i]];
    while (i < order.length && values[order[i]] === score) {
      if (positive[order[i]]) tp++;
      else fp++;
      i++;
    }
    const precision = tp / (tp + fp);
    const next = i < order.length ? values[order[i]] : 0;
    if (tp + fp >= minFlagged && precision >= target && score > 0) {
      best = { cut: score, next, precision, recall: positives ? tp / positives : 0, flagged: tp + fp };
    }
  }
  if (!best) return undefined;
  // Midway between the lowest kept score and the next one, rounded down to 4 decimals but kept above `next`.
  let threshold = Math.floor(((best.cut + best.next) / 2) * 10_000 + 1e-6) / 10_000;
  if (threshold <= best.next || threshold >= best.cut) threshold = Math.max(0, best.cut - 1e-6);
  return {
    threshold,
    precision: Math.round(best.precision * 10_000) / 10_000,
    recall: Math.round(best.recall * 10_000) / 10_000,
    flagged: best.flagged,
  };
}

/** "2026-11-23.1" → "2026-11-23.2" on the same day, else "<today>.1". */
export function nextPolicyVersion(current: string, now = new Date()): string {
  const today = now.toISOString().slice(0, 10);
  const match = /^(\d{4}-\d{2}-\d{2})\.(\d+)$/.exec(current);
  if (match && match[1] === today) return `${today}.${Number(match[2]) + 1}`;
  if (match && match[1] > today) return `${match[1]}.${Number(match[2]) + 1}`;
  return `${today}.1`;
}

/** The base policy with the suggested reject thresholds, as a new version. */
export function policyWithSuggestions(base: Policy, report: AgreementReport, meta: { since?: Date; now?: Date }): Record<string, unknown> {
  type LooseThresholds = { review?: Record<string, number>; reject?: Record<string, number> };
  const next = JSON.parse(JSON.stringify(base)) as Omit<Policy, 'thresholds'> & { thresholds: Record<string, LooseThresholds> };
  const version = nextPolicyVersion(base.version, meta.now);
  for (const s of report.suggestions) {
    const scope = (next.thresholds[s.language] ??= {});
    (scope.reject ??= {})[s.label] = s.threshold;
  }
  const compared = report.overall.compared;
  return {
    ...next,
    version,
    notes:
      `Reject thresholds suggested by \`vigie eval --from-decisions\` for precision ${report.targetPrecision} from ${compared} ` +
      `moderator decisions${meta.since ? ` since ${meta.since.toISOString()}` : ''}, on top of policy ${base.version}. ` +
      `Review with \`vigie rescore --dry-run --policy <this file>\` before deploying.` +
      (base.notes ? ` Previous notes: ${base.notes}` : ''),
  };
}
