import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import IORedis from 'ioredis';
import { silentLogger } from '../../../src/lib/logger';
import { createScoringEngine, type ScoringEngine } from '../../../src/scoring/engine';
import { createScorers } from '../../../src/scoring/registry';
import { saveComment } from '../../../src/store/comments.repository';
import type { Database } from '../../../src/store/database';
import { saveMachineDecision } from '../../../src/store/decisions.repository';
import { loadPolicy, parsePolicy } from '../../../src/triage/policy';
import { createScoreWorker } from '../../../workers/score.worker';
import type { OperatorDeps } from '../../../src/cli/rescore.command';
import { TEST_REDIS_URL } from '../../helpers/redis';

export const SITE = 'le-journal';
export const ARTICLE = 'https://journal.example.fr/politique/budget';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-cli-'));
}

/**
 * The shipped policy made stricter, without its per-language overrides: severity-1 words (0.35)
 * go to review, severity-2 insults (0.75) are rejected.
 */
export function writeStrictPolicy(dir: string, version = 'test-strict'): string {
  const base = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../models/policy.json'), 'utf8'));
  base.version = version;
  base.thresholds.default.review.insult = 0.3;
  base.thresholds.default.review.toxicity = 0.3;
  base.thresholds.default.reject.insult = 0.72;
  base.thresholds.fr = {};
  base.thresholds.en = {};
  parsePolicy(base);
  const file = path.join(dir, `policy-${version}.json`);
  fs.writeFileSync(file, JSON.stringify(base, null, 2));
  return file;
}

export async function wordListEngine(policyFile?: string): Promise<ScoringEngine> {
  return createScoringEngine({ scorers: await createScorers(['lexicon']), policy: loadPolicy(policyFile) });
}

/** Stores comments and decides them with the shipped policy, as the live pipeline would have. */
export async function seedDecided(db: Database, texts: string[], options: { site?: string; article?: string } = {}): Promise<string[]> {
  const engine = await wordListEngine();
  const ids: string[] = [];
  for (const [i, text] of texts.entries()) {
    const { comment } = await saveComment(db, {
      siteId: options.site ?? SITE,
      articleUrl: options.article ?? ARTICLE,
      articleTitle: 'Budget 2027',
      sourceId: `c-${i}-${Math.random().toString(36).slice(2, 8)}`,
      parentSourceId: null,
      author: `lecteur${i}`,
      text,
      publishedAt: '2026-11-20T10:00:00Z',
      source: 'webhook',
    });
    const [result] = await engine.scoreTexts([{ text }]);
    await saveMachineDecision(db, { commentId: comment.id, textHash: comment.textHash, result });
    ids.push(comment.id);
  }
  return ids;
}

export interface Captured {
  stdout: string;
  stderr: string;
  /** the exit code main() would set */
  exitCode: number;
  error?: Error & { exitCode?: number };
}

function capture(): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = false;
  let text = '';
  stream.on('data', (chunk) => (text += chunk.toString()));
  return { stream, text: () => text };
}

/** Runs a command as `vigie <name> …args` would, with the exit code main() would give. */
export async function runCommand(
  make: (deps: OperatorDeps) => Command,
  args: string[],
  deps: Omit<OperatorDeps, 'stdout' | 'stderr'> & { env: NodeJS.ProcessEnv },
): Promise<Captured> {
  const out = capture();
  const err = capture();
  const command = make({ logger: silentLogger(), ...deps, stdout: out.stream, stderr: err.stream }).exitOverride();
  let error: Captured['error'];
  try {
    await command.parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e as Captured['error'];
  }
  await new Promise((r) => setImmediate(r));
  return { stdout: out.text(), stderr: err.text(), exitCode: error ? (error.exitCode ?? 1) : 0, error };
}

export function commandEnv(prefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, SCORERS: 'lexicon', LOG_LEVEL: 'silent', DATA_DIR: tempDir(), ...extra };
}

/** A score worker as `vigie worker` runs it, with the given engine, on a test prefix. */
export function startScoreWorker(db: Database, engine: ScoringEngine, prefix: string) {
  const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const scoreWorker = createScoreWorker({ connection, db, engine, logger: silentLogger(), prefix, concurrency: 16 });
  void scoreWorker.worker.run();
  return {
    worker: scoreWorker.worker,
    async stop() {
      await scoreWorker.close();
      await connection.quit();
    },
  };
}
