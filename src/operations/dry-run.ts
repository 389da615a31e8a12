import type { Decision } from '../domain/decision';
import type { ScoringEngine } from '../scoring/engine';
import type { Queryable } from '../store/database';
import { listSelectionPage, type SelectedComment } from '../store/rescore.repository';
import type { CommentFilter } from './comment-filter';
import { csvLine } from './csv';
import { excerpt, flipKey, flipLabel } from './decision-change';
import { writeChunk } from './output-file';

export interface FlipExample {
  commentId: string;
  siteId: string;
  articleUrl: string;
  label: string;
  excerpt: string;
}

export interface DryRunReport {
  mode: 'dry-run';
  modelVersion: string;
  policyVersion: string;
  /** comments the filter matched (moderated ones included) */
  selected: number;
  /** decided by a moderator: not scored, a rescore never overrides them */
  moderated: number;
  scored: number;
  unchanged: number;
  changed: number;
  /** "approve→review": count */
  flips: Record<string, number>;
  /** label → "approve→review" → count */
  flipsByLabel: Record<string, Record<string, number>>;
  /** a few comments per flip */
  examples: Record<string, FlipExample[]>;
  durationMs: number;
  interrupted: boolean;
}

export interface DryRunOptions {
  db: Queryable;
  engine: Pick<ScoringEngine, 'modelVersion' | 'policyVersion' | 'scoreTexts'>;
  filter: CommentFilter;
  /** comments read and scored per step (keyset pages) */
  batchSize?: number;
  examplesPerFlip?: number;
  /** every flip, one line each */
  out?: { stream: NodeJS.WritableStream; format: 'csv' | 'jsonl' };
  onProgress?: (processed: number) => void;
  signal?: AbortSignal;
}

export const FLIP_CSV_COLUMNS = [
  'comment_id',
  'site_id',
  'article_url',
  'from',
  'to',
  'label',
  'previous_score',
  'new_score',
  'previous_model_version',
  'previous_policy_version',
  'model_version',
  'policy_version',
  'text',
] as const;

/**
 * Scores the selection in-process with the given engine and reports how the current decisions
 * would change, writing nothing to the store. Reads keyset pages, the next one while the current
 * one is scored, so memory stays flat on any number of comments.
 */
export async function runDryRun(options: DryRunOptions): Promise<DryRunReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 500;
  const examplesPerFlip = options.examplesPerFlip ?? 3;
  const { engine } = options;
  const target = { modelVersion: engine.modelVersion, policyVersion: engine.policyVersion };
  const report: DryRunReport = {
    mode: 'dry-run',
    modelVersion: engine.modelVersion,
    policyVersion: engine.policyVersion,
    selected: 0,
    moderated: 0,
    scored: 0,
    unchanged: 0,
    changed: 0,
    flips: {},
    flipsByLabel: {},
    examples: {},
    durationMs: 0,
    interrupted: false,
  };
  if (options.out?.format === 'csv') await writeChunk(options.out.stream, csvLine(FLIP_CSV_COLUMNS));

  const fetchPage = (afterId?: string) => listSelectionPage(options.db, options.filter, target, { limit: batchSize, afterId, withText: true });
  let next: Promise<SelectedComment[]> | undefined = fetchPage();
  while (next) {
    const page: SelectedComment[] = await next;
    next = page.length === batchSize ? fetchPage(page[page.length - 1].id) : undefined;
    // A rejected read-ahead is awaited (and thrown) on the next turn; never left unhandled.
    next?.catch(() => undefined);
    if (options.signal?.aborted) {
      report.interrupted = true;
      break;
    }
    report.selected += page.length;
    const toScore = page.filter((comment) => {
      if (comment.moderated) report.moderated++;
      return !comment.moderated;
    });
    const results = await options.engine.scoreTexts(toScore.map((c) => ({ id: c.id, text: c.text ?? '' })));
    for (let i = 0; i < toScore.length; i++) {
      const comment = toScore[i];
      const result = results[i];
      report.scored++;
      if (comment.decision === result.decision) {
        report.unchanged++;
        continue;
      }
      report.changed++;
      const key = flipKey(comment.decision, result.decision);
      const label = flipLabel(comment.decision, result.decision, result, comment.topLabel);
      report.flips[key] = (report.flips[key] ?? 0) + 1;
      const byLabel = (report.flipsByLabel[label] ??= {});
      byLabel[key] = (byLabel[key] ?? 0) + 1;
      const examples = (report.examples[key] ??= []);
      if (examples.length < examplesPerFlip) {
        examples.push({ commentId: comment.id, siteId: comment.siteId, articleUrl: comment.articleUrl, label, excerpt: excerpt(comment.text ?? '') });
      }
      if (options.out) await writeFlip(options.out, comment, result.decision, label, result.scores, target);
    }
    options.onProgress?.(report.selected);
  }
  report.flips = sortByCount(report.flips);
  report.durationMs = Date.now() - started;
  return report;
}

async function writeFlip(
  out: NonNullable<DryRunOptions['out']>,
  comment: SelectedComment,
  to: Decision,
  label: string,
  scores: Record<string, number | undefined>,
  target: { modelVersion: string; policyVersion: string },
): Promise<void> {
  const previousScore = (comment.current?.scores as Record<string, number | undefined> | undefined)?.[label] ?? null;
  const newScore = scores[label] ?? null;
  const record = {
    commentId: comment.id,
    siteId: comment.siteId,
    articleUrl: comment.articleUrl,
    from: comment.decision ?? 'none',
    to,
    label,
    previousScore,
    newScore,
    previousModelVersion: comment.current?.modelVersion ?? null,
    previousPolicyVersion: comment.current?.policyVersion ?? null,
    modelVersion: target.modelVersion,
    policyVersion: target.policyVersion,
    text: comment.text ?? '',
  };
  await writeChunk(out.stream, out.format === 'csv' ? csvLine(Object.values(record)) : JSON.stringify(record) + '\n');
}

function sortByCount(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** The report as an operator reads it in a terminal. */
export function formatDryRunReport(report: DryRunReport, outFile?: string): string {
  const lines: string[] = [];
  lines.push(`Dry run with model ${report.modelVersion}, policy ${report.policyVersion}${report.interrupted ? ' (INTERRUPTED: partial figures)' : ''}`);
  lines.push(
    `  ${report.selected} comments selected: ${report.scored} scored, ${report.moderated} decided by moderators (excluded, never overridden)`,
  );
  lines.push(`  ${report.changed} decisions would change, ${report.unchanged} unchanged. Nothing was written.`);
  if (report.changed > 0) {
    lines.push('', 'Changes:');
    for (const [key, n] of Object.entries(report.flips)) lines.push(`  ${key.padEnd(18)} ${String(n).padStart(7)}`);
    lines.push('', 'By label:');
    for (const [label, flips] of Object.entries(report.flipsByLabel).sort()) {
      lines.push(`  ${label}: ${Object.entries(flips).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    }
    lines.push('', 'Examples:');
    for (const [key, examples] of Object.entries(report.examples)) {
      lines.push(`  ${key}`);
      for (const e of examples) lines.push(`    ${e.commentId} [${e.label}] ${JSON.stringify(e.excerpt)}`);
    }
  }
  if (outFile) lines.push('', `Every change written to ${outFile}`);
  lines.push(`(${(report.durationMs / 1000).toFixed(1)} s)`);
  return lines.join('\n') + '\n';
}
