import { LABELS, type Label } from '../domain/labels';
import type { TableRow } from './read-table';
import { detectLanguage } from './language';

export const TEXT_COLUMN_CANDIDATES = ['text', 'comment_text', 'content', 'comment', 'tweet', 'post'];

/** Jigsaw / Perspective-style column names recognised for each label, in preference order. */
export const LABEL_COLUMN_CANDIDATES: Record<Label, string[]> = {
  toxicity: ['toxicity', 'toxic', 'label', 'is_toxic'],
  severe_toxicity: ['severe_toxicity', 'severe_toxic'],
  obscene: ['obscene'],
  threat: ['threat'],
  insult: ['insult'],
  identity_attack: ['identity_attack', 'identity_hate'],
  sexual_explicit: ['sexual_explicit'],
};

export interface LabelledItem {
  text: string;
  gold: Partial<Record<Label, number>>;
  lang: string;
}

export interface ColumnChoice {
  text: string;
  labels: Partial<Record<Label, string>>;
  language?: string;
}

/** "toxicity=toxic,insult=insult" → {toxicity: 'toxic', insult: 'insult'}. */
export function parseLabelMap(spec: string): Partial<Record<Label, string>> {
  const out: Partial<Record<Label, string>> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [label, column] = part.split('=').map((s) => s.trim());
    if (!label || !column || !(LABELS as readonly string[]).includes(label)) {
      throw new Error(`--label-map: "${part}" is not label=column with a label among ${LABELS.join(', ')}`);
    }
    out[label as Label] = column;
  }
  return out;
}

export function chooseColumns(
  rows: readonly TableRow[],
  opts: { textColumn?: string; labelMap?: Partial<Record<Label, string>>; languageColumn?: string },
): ColumnChoice {
  const columns = new Set(rows.flatMap((r) => Object.keys(r)));
  const text = opts.textColumn ?? TEXT_COLUMN_CANDIDATES.find((c) => columns.has(c));
  if (!text || !columns.has(text)) {
    throw new Error(`no text column (looked for ${opts.textColumn ?? TEXT_COLUMN_CANDIDATES.join(', ')}); use --text-column`);
  }
  let labels: Partial<Record<Label, string>> = {};
  if (opts.labelMap && Object.keys(opts.labelMap).length > 0) {
    for (const [label, col] of Object.entries(opts.labelMap)) {
      if (!columns.has(col)) throw new Error(`--label-map: column "${col}" not in the file`);
      labels[label as Label] = col;
    }
  } else {
    labels = Object.fromEntries(
      LABELS.map((l) => [l, LABEL_COLUMN_CANDIDATES[l].find((c) => columns.has(c))]).filter(([, c]) => c !== undefined),
    );
  }
  if (Object.keys(labels).length === 0) throw new Error('no label columns found; use --label-map label=column,...');
  const language = opts.languageColumn ?? ['lang', 'language'].find((c) => columns.has(c));
  return { text, labels, language };
}

/** A gold value: number or numeric string in [0,1], booleans; empty means not annotated. */
export function parseGold(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const s = String(value).trim().toLowerCase();
  if (s === 'true' || s === 'yes' || s === 'toxic') return 1;
  if (s === 'false' || s === 'no' || s === 'not toxic') return 0;
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : undefined;
}

export function toLabelledItems(rows: readonly TableRow[], cols: ColumnChoice): LabelledItem[] {
  const items: LabelledItem[] = [];
  for (const row of rows) {
    const text = row[cols.text];
    if (typeof text !== 'string' || text.trim() === '') continue;
    const gold: Partial<Record<Label, number>> = {};
    for (const [label, col] of Object.entries(cols.labels)) {
      const g = parseGold(row[col as string]);
      if (g !== undefined) gold[label as Label] = g;
    }
    const langValue = cols.language ? row[cols.language] : undefined;
    const lang = typeof langValue === 'string' && langValue ? langValue.toLowerCase().slice(0, 2) : detectLanguage(text);
    items.push({ text, gold, lang });
  }
  return items;
}
