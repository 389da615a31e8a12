import fs from 'node:fs';
import path from 'node:path';
import { extractComments } from '../src/ingest/extract';

const ROUNDS = Number(process.argv[2] ?? 20);

/** ../shared beside the repository; searched from the working directory (the bench may run compiled elsewhere). */
function findCorpusPages(): string {
  for (const start of [process.cwd(), __dirname]) {
    for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'shared', 'ingest-corpus', 'pages');
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  throw new Error('shared/ingest-corpus/pages not found');
}

function runBench(): void {
  const dir = findCorpusPages();
  const pages = fs.readdirSync(dir).filter((f) => f.endsWith('.html')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  for (const html of pages) extractComments(html, 'https://bench.example/');
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    for (const html of pages) extractComments(html, 'https://bench.example/');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(pages.length / seconds);
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  console.log(`extract: ${pages.length} pages x ${ROUNDS} rounds; median ${median.toFixed(0)} pages/s (min ${rates[0].toFixed(0)}, max ${rates[rates.length - 1].toFixed(0)})`);
}

runBench();
