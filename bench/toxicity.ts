/**
 * Feeding overhead of TfjsToxicityScorer (tokenize, build inputs, executeAsync, read and dispose
 * outputs) on the miniature model: texts/s and batch latency per backend and batch size.
 * The real model's compute is not measured here; its weights are not available offline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../src/lib/logger';
import { selectTfjsBackend, type TfjsBackendName } from '../src/scoring/tfjs-backend';
import { loadToxicityModel } from '../src/scoring/toxicity/loader';
import { writeMiniToxicityModel } from '../test/fixtures-gen/make-mini-toxicity-model';

const BATCH_SIZES = [1, 32, 128];
const BACKENDS: TfjsBackendName[] = ['wasm', 'cpu'];
const SECONDS_PER_CASE = Number(process.argv[2] ?? 3);
const WORDS = 'you are an idiot hello world thanks for the nice article person stupid moron quel plaisir été'.split(' ');

function makeComment(seed: number): string {
  const length = 8 + (seed % 40);
  return Array.from({ length }, (_, i) => WORDS[(seed * 31 + i * 7) % WORDS.length]).join(' ');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function benchBackend(backendName: TfjsBackendName, modelDir: string): Promise<void> {
  const { backend, tf } = await selectTfjsBackend({ prefer: backendName });
  const scorer = await loadToxicityModel({ modelDir, dataDir: modelDir, logger: silentLogger(), tf });
  for (const size of BATCH_SIZES) {
    const batches = Array.from({ length: 16 }, (_, b) => Array.from({ length: size }, (_, i) => makeComment(b * size + i)));
    for (let i = 0; i < 3; i++) await scorer.score(batches[i]);
    const latencies: number[] = [];
    const start = performance.now();
    let texts = 0;
    while (performance.now() - start < SECONDS_PER_CASE * 1000) {
      const t0 = performance.now();
      await scorer.score(batches[latencies.length % batches.length]);
      latencies.push(performance.now() - t0);
      texts += size;
    }
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      [
        backend.padEnd(5),
        `batch ${String(size).padStart(3)}`,
        `${Math.round(texts / elapsed).toLocaleString('en').padStart(7)} texts/s`,
        `p50 ${percentile(latencies, 50).toFixed(2)} ms`,
        `p99 ${percentile(latencies, 99).toFixed(2)} ms`,
        `(${latencies.length} batches, tensors ${tf.memory().numTensors})`,
      ].join('  '),
    );
  }
  await scorer.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigie-bench-toxicity-'));
  try {
    const { dir: modelDir } = writeMiniToxicityModel(path.join(dir, 'model'));
    for (const backend of BACKENDS) await benchBackend(backend, modelDir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
