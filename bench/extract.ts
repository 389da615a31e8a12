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
  const cpuRates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    for (const html of pages) extractComments(html, 'https://bench.example/');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStarted);
    rates.push(pages.length / seconds);
    cpuRates.push(pages.length / ((cpu.user + cpu.system) / 1e6));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(
    `extract: ${pages.length} pages x ${ROUNDS} rounds; median ${median(rates).toFixed(0)} pages/s ` +
      `(min ${Math.min(...rates).toFixed(0)}, max ${Math.max(...rates).toFixed(0)}); ` +
      // CPU time (garbage-collector threads included) moves less than wall time on a shared machine.
      `median ${median(cpuRates).toFixed(0)} pages per CPU-second`,
  );
}

runBench();
