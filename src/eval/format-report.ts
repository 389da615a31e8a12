import { LABELS } from '../domain/labels';
import type { EvalReport, LabelReport } from './evaluate';

const f = (x: number | undefined, digits = 3): string => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits));

function rows(title: string, n: number, labels: EvalReport['labels'], targetPrecision: number): string[] {
  const out = [
    `${title} (n=${n})`,
    `| label | n | pos | ROC-AUC | AP | P/R @review | P/R @reject | thr @P≥${targetPrecision} (R) |`,
    '|---|---:|---:|---:|---:|---|---|---|',
  ];
  for (const label of LABELS) {
    const r: LabelReport | undefined = labels[label];
    if (!r) continue;
    const at = (s?: { threshold: number; precision: number; recall: number }): string =>
      s ? `${f(s.precision, 2)}/${f(s.recall, 2)} @${f(s.threshold, 2)}` : '—';
    out.push(
      `| ${label} | ${r.n} | ${r.positives} | ${f(r.rocAuc)} | ${f(r.averagePrecision)} | ${at(r.atReview)} | ${at(r.atReject)} | ${
        r.suggested ? `${f(r.suggested.threshold, 3)} (${f(r.suggested.recall, 2)})` : '—'
      } |`,
    );
  }
  return out;
}

/** Markdown tables: all items, then one per language. */
export function formatReport(report: EvalReport): string {
  const out = rows('all', report.n, report.labels, report.targetPrecision);
  for (const [lang, r] of Object.entries(report.byLanguage)) {
    out.push('', ...rows(`lang=${lang}`, r.n, r.labels, report.targetPrecision));
  }
  return out.join('\n');
}
