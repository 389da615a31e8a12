/**
 * Throughput of `vigie score` per scorer on ≥ 20,000 mixed French/English comments from
 * ../shared/datasets, through the same streaming code path as the command.
 *
 *   npx tsc -p tsconfig.json --outDir /tmp/vigie-bench && cp -r models /tmp/vigie-bench/ \
 *     && node /tmp/vigie-bench/bench/score.js [scorer list, ';' between runs] [datasets dir]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { streamScores } from '../src/cli/score.command';
import { createScoringEngine } from '../src/scoring/engine';
import { createScorers, parseScorerNames } from '../src/scoring/registry';
import { loadPolicy } from '../src/triage/policy';

const MIN_COMMENTS = 20_000;

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(content: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const char = content[i];
    if (quoted) {
      if (char === '"' && content[i + 1] === '"') (field += '"'), i++;
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === separator) row.push(field), (field = '');
    else if (char === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (char !== '\r') field += char;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

function readColumn(file: string, column: string): string[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const index = header.indexOf(column);
  if (index < 0) throw new Error(`${file}: no column ${column}`);
  return rows.map((row) => row[index]).filter((text): text is string => typeof text === 'string' && text.trim() !== '');
}

function loadComments(datasets: string): { texts: string[]; french: number } {
  const french = [
    ...readColumn(path.join(datasets, 'fr/toxifrench-dev/toxifrench_dev.csv'), 'content'),
    ...readColumn(path.join(datasets, 'fr/jigsaw2018-fr-mt/jigsaw2018_subset_fr_translated.csv'), 'content'),
    ...readColumn(path.join(datasets, 'fr/mlma/fr_dataset.csv'), 'tweet'),
    ...readColumn(path.join(datasets, 'fr/ftr/FTR_new_labels.csv'), 'tweet'),
  ];
  const english = [
    ...readColumn(path.join(datasets, 'en/civil-toxic-spans/derived_per_comment_labels.csv'), 'comment_text'),
    ...readColumn(path.join(datasets, 'en/davidson/labeled_data.csv'), 'tweet'),
  ];
  // Interleave so every batch is mixed, as live traffic would be.
  const texts: string[] = [];
  for (let i = 0; i < Math.max(french.length, english.length); i++) {
    if (i < french.length) texts.push(french[i]);
    if (i < english.length) texts.push(english[i]);
  }
  return { texts, french: french.length };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function benchScorer(name: string, texts: string[]): Promise<void> {
  const scorers = await createScorers(parseScorerNames(name));
  const engine = createScoringEngine({ scorers, policy: loadPolicy() });
  const lines = texts.map((text, id) => JSON.stringify({ id, text }) + '\n');
  const input = Readable.from(lines, { objectMode: false });
  let bytes = 0;
  const output = new Writable({
    write(chunk, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  const latencies: number[] = [];
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);
  const started = performance.now();
  const summary = await streamScores(engine, { input, output, errors: process.stderr }, { onBatch: (_size, ms) => latencies.push(ms) });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      scorer: engine.modelVersion,
      comments: summary.written,
      invalid: summary.invalid,
      seconds: Number(seconds.toFixed(3)),
      commentsPerSecond: Math.round(summary.written / seconds),
      batches: latencies.length,
      batchP50Ms: Number(percentile(latencies, 50).toFixed(2)),
      batchP99Ms: Number(percentile(latencies, 99).toFixed(2)),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      outputMb: Number((bytes / 1024 / 1024).toFixed(1)),
    }),
  );
  for (const scorer of scorers) await scorer.close?.();
}

async function main(): Promise<void> {
  const names = (process.argv[2] ?? 'own,lexicon;lexicon;own').split(';');
  const datasets = process.argv[3] ?? path.resolve('../shared/datasets');
  const { texts, french } = loadComments(datasets);
  if (texts.length < MIN_COMMENTS) throw new Error(`only ${texts.length} comments found; need ${MIN_COMMENTS}`);
  console.log(`${texts.length} comments (${french} French), mean ${Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length)} chars`);
  for (const name of names) await benchScorer(name, texts);
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
