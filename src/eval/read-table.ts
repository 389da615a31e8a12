import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseDelimitedRecords } from './csv';

export type TableRow = Record<string, unknown>;

/** Reads a .csv, .tsv, .jsonl (or .ndjson) file into records. */
export async function readTable(file: string): Promise<TableRow[]> {
  const text = await fs.readFile(file, 'utf8');
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    return text
      .split('\n')
      .map((line, n) => [line.trim(), n + 1] as const)
      .filter(([line]) => line.length > 0)
      .map(([line, lineNo]) => {
        try {
          return JSON.parse(line) as TableRow;
        } catch (err) {
          throw new Error(`${file}:${lineNo}: invalid JSON (${(err as Error).message})`);
        }
      });
  }
  if (ext === '.tsv') return parseDelimitedRecords(text, '\t');
  if (ext === '.csv') return parseDelimitedRecords(text, ',');
  throw new Error(`${file}: unsupported extension ${ext || '(none)'}; use .csv, .tsv or .jsonl`);
}
