import { LABELS } from '../domain/labels';
import type { Queryable } from '../store/database';
import { listAuditHistory, type AuditHistoryEntry } from '../store/audit.repository';
import {
  listDecisionHistory,
  listExportPage,
  type DecisionHistoryEntry,
  type ExportRow,
} from '../store/rescore.repository';
import type { CommentFilter } from './comment-filter';
import { csvLine } from './csv';
import { writeChunk } from './output-file';

export type ExportFormat = 'csv' | 'jsonl';

export interface ExportOptions {
  db: Queryable;
  filter: CommentFilter;
  format: ExportFormat;
  output: NodeJS.WritableStream;
  pageSize?: number;
  onProgress?: (exported: number) => void;
  signal?: AbortSignal;
}

export interface ExportSummary {
  exported: number;
  interrupted: boolean;
}

export const EXPORT_CSV_COLUMNS = [
  'comment_id',
  'site_id',
  'article_url',
  'article_title',
  'source',
  'source_id',
  'parent_id',
  'author',
  'published_at',
  'stored_at',
  'text',
  'status',
  'decision',
  'decided_by',
  'decided_at',
  'language',
  'severity',
  'top_label',
  ...LABELS.map((label) => `score_${label}`),
  'reasons',
  'model_version',
  'policy_version',
  'decision_history',
  'moderator_actions',
] as const;

export interface ExportRecord extends ExportRow {
  decisions: Omit<DecisionHistoryEntry, 'commentId'>[];
  moderatorActions: Omit<AuditHistoryEntry, 'commentId'>[];
}

function groupByComment<T extends { commentId: string }>(entries: T[]): Map<string, Omit<T, 'commentId'>[]> {
  const map = new Map<string, Omit<T, 'commentId'>[]>();
  for (const { commentId, ...rest } of entries) {
    let list = map.get(commentId);
    if (!list) map.set(commentId, (list = []));
    list.push(rest);
  }
  return map;
}

function toCsv(record: ExportRecord): string {
  return csvLine([
    record.id,
    record.siteId,
    record.articleUrl,
    record.articleTitle,
    record.source,
    record.sourceId,
    record.parentId,
    record.author,
    record.publishedAt,
    record.createdAt,
    record.text,
    record.status,
    record.decision,
    record.decidedBy,
    record.decidedAt,
    record.language,
    record.severity,
    record.topLabel,
    ...LABELS.map((label) => record.scores[label] ?? null),
    record.reasons.map((r) => r.code + (r.label ? `:${r.label}` : '')).join(' '),
    record.modelVersion,
    record.policyVersion,
    record.decisions.map((d) => `${d.at} ${d.actor} ${d.decision}${d.isCurrent ? ' (current)' : ''}`).join('; '),
    record.moderatorActions.map((a) => `${a.at} ${a.actor} ${a.action}`).join('; '),
  ]);
}

/**
 * Streams the selection — comment, current scores and decision, decision history and the audit
 * log entries about it — one keyset page at a time, waiting on the output's backpressure, so
 * memory stays flat however many comments are exported. The next page is read while the current
 * one is written.
 */
export async function exportComments(options: ExportOptions): Promise<ExportSummary> {
  const pageSize = options.pageSize ?? 1_000;
  const summary: ExportSummary = { exported: 0, interrupted: false };
  if (options.format === 'csv') await writeChunk(options.output, '\ufeff' + csvLine(EXPORT_CSV_COLUMNS));
  const fetchPage = async (afterId?: string) => {
    const rows = await listExportPage(options.db, options.filter, { limit: pageSize, afterId });
    const ids = rows.map((r) => r.id);
    const [decisions, audit] = await Promise.all([listDecisionHistory(options.db, ids), listAuditHistory(options.db, ids)]);
    return { rows, decisions: groupByComment(decisions), audit: groupByComment(audit) };
  };
  let next: ReturnType<typeof fetchPage> | undefined = fetchPage();
  while (next) {
    const page: Awaited<ReturnType<typeof fetchPage>> = await next;
    next = page.rows.length === pageSize ? fetchPage(page.rows[page.rows.length - 1].id) : undefined;
    next?.catch(() => undefined);
    if (options.signal?.aborted) {
      summary.interrupted = true;
      break;
    }
    for (const row of page.rows) {
      const record: ExportRecord = { ...row, decisions: page.decisions.get(row.id) ?? [], moderatorActions: page.audit.get(row.id) ?? [] };
      await writeChunk(options.output, options.format === 'csv' ? toCsv(record) : JSON.stringify(record) + '\n');
      summary.exported++;
    }
    options.onProgress?.(summary.exported);
  }
  return summary;
}
