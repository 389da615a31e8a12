import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config';
import type { Logger } from '../lib/logger';
import type { ScoredItem, ScoreItem, ScoringEngine } from '../scoring/engine';
import { parseScorerNames, type CreateScorersOptions, type ScorerName } from '../scoring/registry';
import { loadPolicy, type Policy } from '../triage/policy';

/** What each thread needs to build the same engine as the main thread (plain data: it is copied). */
export interface ScoringThreadSetup {
  scorerNames: readonly ScorerName[];
  policy: Policy;
  scorerOptions: Pick<CreateScorersOptions, 'dataDir' | 'ownModelDir' | 'toxicityModelDir'>;
}

export type ThreadMessage =
  | { type: 'ready'; modelVersion: string; policyVersion: string }
  | { type: 'failed-to-start'; message: string }
  | { type: 'scored'; id: number; results: ScoredItem[] }
  | { type: 'failed'; id: number; message: string };

export interface ScoringPool extends Pick<ScoringEngine, 'modelVersion' | 'policyVersion' | 'scoreTexts'> {
  readonly threads: number;
  close(): Promise<void>;
}

export interface ScoringPoolOptions extends ScoringThreadSetup {
  threads: number;
}

/** One scoring thread per core, at most 4 (each holds its own copy of the models). */
export const DEFAULT_SCORING_THREADS = Math.min(4, os.availableParallelism());

interface Call {
  resolve(results: ScoredItem[]): void;
  reject(err: Error): void;
}

class ScoringThread {
  private readonly calls = new Map<number, Call>();
  private nextId = 0;
  private broken: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly modelVersion: string,
    readonly policyVersion: string,
  ) {
    worker.on('message', (message: ThreadMessage) => {
      if (message.type !== 'scored' && message.type !== 'failed') return;
      const call = this.calls.get(message.id);
      this.calls.delete(message.id);
      if (message.type === 'scored') call?.resolve(message.results);
      else call?.reject(new Error(`scoring thread: ${message.message}`));
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`scoring thread exited (code ${code})`)));
  }

  /** Resolves once the thread has loaded its scorers. */
  static start(entry: string, setup: ScoringThreadSetup): Promise<ScoringThread> {
    const worker = new Worker(entry, { workerData: setup });
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => {
        void worker.terminate();
        reject(err);
      };
      const onExit = (code: number) => failed(new Error(`scoring thread exited (code ${code}) while loading`));
      worker.once('error', failed);
      worker.once('exit', onExit);
      worker.once('message', (message: ThreadMessage) => {
        worker.off('error', failed);
        worker.off('exit', onExit);
        if (message.type === 'ready') resolve(new ScoringThread(worker, message.modelVersion, message.policyVersion));
        else failed(new Error(message.type === 'failed-to-start' ? message.message : `unexpected ${message.type} from a loading thread`));
      });
    });
  }

  score(items: ScoreItem[]): Promise<ScoredItem[]> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, items });
    });
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const call of this.calls.values()) call.reject(err);
    this.calls.clear();
  }

  async close(): Promise<void> {
    this.broken ??= new Error('scoring thread closed');
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/**
 * Scores on worker threads, each with its own copy of the scorers: a batch is split between
 * them, so a dry run uses every core while the main thread reads the next page from the store.
 * Results are the engine's own, in input order. Undefined when the compiled thread entry is not
 * there (running from TypeScript sources): callers then score on the main thread.
 */
export async function openScoringPool(options: ScoringPoolOptions): Promise<ScoringPool | undefined> {
  const entry = path.join(__dirname, 'scoring-thread.js');
  if (options.threads < 1 || !fs.existsSync(entry)) return undefined;
  const setup: ScoringThreadSetup = { scorerNames: options.scorerNames, policy: options.policy, scorerOptions: options.scorerOptions };
  const starting = Array.from({ length: options.threads }, () => ScoringThread.start(entry, setup));
  const settled = await Promise.allSettled(starting);
  const threads = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await Promise.all(threads.map((thread) => thread.close()));
    throw failure.reason;
  }
  const [{ modelVersion, policyVersion }] = threads;
  return {
    threads: threads.length,
    modelVersion,
    policyVersion,
    async scoreTexts(items: readonly ScoreItem[]): Promise<ScoredItem[]> {
      const share = Math.ceil(items.length / threads.length);
      const parts = threads
        .map((thread, i) => ({ thread, items: items.slice(i * share, (i + 1) * share) }))
        .filter((part) => part.items.length > 0);
      const results = await Promise.all(parts.map((part) => part.thread.score(part.items)));
      return results.flat();
    },
    close: async () => {
      await Promise.all(threads.map((thread) => thread.close()));
    },
  };
}

/**
 * A score worker's scoring threads (WORKER_SCORING_THREADS), built from the same configuration as
 * its main-thread engine. Undefined — the worker then scores on its main thread, and says why —
 * for 0 threads, when running from TypeScript sources, when a thread cannot load its models, or
 * when the threads' model or policy version differs from the main thread's.
 */
export async function openWorkerScoringPool(
  threads: number,
  config: Pick<Config, 'SCORERS' | 'POLICY_FILE' | 'DATA_DIR' | 'TOXICITY_MODEL_DIR'>,
  engine: Pick<ScoringEngine, 'modelVersion' | 'policyVersion'>,
  logger: Logger,
): Promise<ScoringPool | undefined> {
  if (threads < 1) return undefined;
  let pool: ScoringPool | undefined;
  try {
    pool = await openScoringPool({
      threads,
      scorerNames: parseScorerNames(config.SCORERS),
      policy: loadPolicy(config.POLICY_FILE),
      scorerOptions: { dataDir: path.resolve(config.DATA_DIR), toxicityModelDir: config.TOXICITY_MODEL_DIR },
    });
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'scoring threads could not start; scoring on the main thread');
    return undefined;
  }
  if (!pool) {
    logger.info('no compiled scoring thread (running from sources); scoring on the main thread');
    return undefined;
  }
  if (pool.modelVersion !== engine.modelVersion || pool.policyVersion !== engine.policyVersion) {
    logger.warn(
      { threads: `${pool.modelVersion} / ${pool.policyVersion}`, main: `${engine.modelVersion} / ${engine.policyVersion}` },
      'scoring threads loaded other versions than the main thread; scoring on the main thread',
    );
    await pool.close();
    return undefined;
  }
  logger.info({ threads: pool.threads }, 'scoring on worker threads');
  return pool;
}
