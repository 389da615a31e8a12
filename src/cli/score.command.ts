import { once } from 'node:events';
import readline from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger, type Logger } from '../lib/logger';
import { createScoringEngine, type ScoredItem, type ScoringEngine } from '../scoring/engine';
import { createScorers, DEFAULT_SCORER_NAMES, parseScorerNames, type CreateScorersOptions, type ScorerName } from '../scoring/registry';
import type { Scorer } from '../scoring/scorer';
import { loadPolicy, type Policy } from '../triage/policy';

// Same values as EXIT in ./runtime, not imported so `vigie score` never loads Redis or database modules.
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_UNAVAILABLE = 3;

export interface ScoreCommandDeps {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  loadPolicy?: (file?: string) => Policy;
  createScorers?: (names: readonly ScorerName[], options: CreateScorersOptions) => Promise<Scorer[]>;
  setExitCode?: (code: number) => void;
  logger?: Logger;
}

interface ScoreOptions {
  scorer?: string;
  policy?: string;
  batchSize: number;
}

export interface StreamScoreOptions {
  batchSize?: number;
  /** a partial batch waits at most this long for more lines (interactive use) */
  flushMs?: number;
  /** called after each batch with its size and scoring time, for the benchmark */
  onBatch?: (size: number, ms: number) => void;
}

export interface StreamScoreSummary {
  lines: number;
  written: number;
  invalid: number;
  /** the input could not be read, or the output could not be written */
  error?: Error;
}

interface InputLine {
  lineNumber: number;
  line: string;
}

const DEFAULT_BATCH_SIZE = 256;
const DEFAULT_FLUSH_MS = 5;
/** batches read ahead while one is being scored; bounds memory on huge inputs */
const READ_AHEAD_BATCHES = 2;

function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

/**
 * Groups stdin lines into batches of `batchSize`, or whatever arrived within `flushMs`. Pauses the
 * input while READ_AHEAD_BATCHES wait, so a 100k-line file is never held in memory at once.
 */
export async function* readLineBatches(input: NodeJS.ReadableStream, batchSize: number, flushMs: number): AsyncGenerator<InputLine[]> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const ready: InputLine[][] = [];
  let batch: InputLine[] = [];
  let lineNumber = 0;
  let closed = false;
  let failure: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0) return;
    ready.push(batch);
    batch = [];
    if (ready.length >= READ_AHEAD_BATCHES) lines.pause();
    notify();
  };
  lines.on('line', (line) => {
    batch.push({ lineNumber: ++lineNumber, line });
    if (batch.length >= batchSize) flush();
    else timer ??= setTimeout(flush, flushMs);
  });
  lines.on('close', () => {
    flush();
    closed = true;
    notify();
  });
  const fail = (error: Error): void => {
    failure ??= error;
    closed = true;
    notify();
  };
  // readline re-emits input errors on the interface; listen on both so neither goes unhandled.
  input.on('error', fail);
  lines.on('error', fail);
  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        if (ready.length < READ_AHEAD_BATCHES) lines.resume();
        yield next;
      } else if (failure) throw failure;
      else if (closed) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}

interface ParsedItem {
  id: unknown;
  text: string;
}

function parseInputLine(line: string): ParsedItem | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `invalid JSON (${(error as Error).message})`;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'expected an object {"id": …, "text": "…"}';
  const { id, text } = value as { id?: unknown; text?: unknown };
  if (typeof text !== 'string') return 'missing "text" string';
  return { id: id ?? null, text };
}

/** The stable JSON-lines shape of `vigie score`. */
export function formatResult(id: unknown, result: ScoredItem): string {
  return JSON.stringify({
    id,
    language: result.language,
    scores: result.scores,
    decision: result.decision,
    reasons: result.reasons,
    spans: result.spans.map(({ start, end, label }) => ({ start, end, label })),
    modelVersion: result.modelVersion,
    policyVersion: result.policyVersion,
  });
}

async function writeLine(output: NodeJS.WritableStream, line: string): Promise<void> {
  if (!output.write(line + '\n')) await once(output, 'drain');
}

/** Scores JSON lines from `input` to `output` in input order; bad lines are reported on `errors`. */
export async function streamScores(
  engine: ScoringEngine,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; errors: NodeJS.WritableStream },
  options: StreamScoreOptions = {},
): Promise<StreamScoreSummary> {
  const summary: StreamScoreSummary = { lines: 0, written: 0, invalid: 0 };
  try {
    for await (const batch of readLineBatches(io.input, options.batchSize ?? DEFAULT_BATCH_SIZE, options.flushMs ?? DEFAULT_FLUSH_MS)) {
      const items: ParsedItem[] = [];
      for (const { lineNumber, line } of batch) {
        if (line.trim() === '') continue;
        summary.lines++;
        const parsed = parseInputLine(line);
        if (typeof parsed === 'string') {
          summary.invalid++;
          await writeLine(io.errors, `line ${lineNumber}: ${parsed}`);
        } else items.push(parsed);
      }
      if (items.length === 0) continue;
      const started = performance.now();
      const results = await engine.scoreTexts(items.map((item) => ({ text: item.text })));
      options.onBatch?.(items.length, performance.now() - started);
      for (let i = 0; i < items.length; i++) await writeLine(io.output, formatResult(items[i].id, results[i]));
      summary.written += items.length;
    }
  } catch (error) {
    summary.error = error as Error;
  }
  return summary;
}

async function buildEngine(options: ScoreOptions, deps: ScoreCommandDeps, logger: Logger): Promise<ScoringEngine> {
  const policy = (deps.loadPolicy ?? loadPolicy)(options.policy);
  const names = options.scorer ? parseScorerNames(options.scorer) : DEFAULT_SCORER_NAMES;
  const scorers = await (deps.createScorers ?? createScorers)(names, { logger });
  return createScoringEngine({ scorers, policy, logger });
}

function exitCodeFor(error: Error): number {
  if (error.name === 'ScorerUnavailableError') return EXIT_UNAVAILABLE;
  return /unknown scorer|no scorer named|policy/.test(error.message) ? EXIT_USAGE : EXIT_FAILURE;
}

export function scoreCommand(deps: ScoreCommandDeps = {}): Command {
  return new Command('score')
    .description('Score comments: a text argument, or JSON lines {"id","text"} on stdin → JSON lines on stdout')
    .argument('[text]', 'one comment to score (otherwise read JSON lines from stdin)')
    .option('--scorer <names>', `comma-separated scorers: lexicon, own, toxicity (default: ${DEFAULT_SCORER_NAMES.join(',')})`)
    .option('--policy <file>', 'policy file (default: models/policy.json)')
    .option('--batch-size <n>', 'comments scored per batch', parsePositiveInt, DEFAULT_BATCH_SIZE)
    .action(async (text: string | undefined, options: ScoreOptions) => {
      const stdin = deps.stdin ?? process.stdin;
      const stdout = deps.stdout ?? process.stdout;
      const stderr = deps.stderr ?? process.stderr;
      const setExitCode = deps.setExitCode ?? ((code: number) => (process.exitCode = code));
      const logger = deps.logger ?? createLogger('warn', stderr as never);
      let engine: ScoringEngine;
      try {
        engine = await buildEngine(options, deps, logger);
      } catch (error) {
        await writeLine(stderr, `vigie score: ${(error as Error).message}`);
        setExitCode(exitCodeFor(error as Error));
        return;
      }
      if (text !== undefined) {
        const [result] = await engine.scoreTexts([{ text }]);
        await writeLine(stdout, formatResult(null, result));
        setExitCode(EXIT_OK);
        return;
      }
      const summary = await streamScores(engine, { input: stdin, output: stdout, errors: stderr }, { batchSize: options.batchSize });
      if (summary.error) {
        await writeLine(stderr, `vigie score: stopped: ${summary.error.message}`);
        setExitCode(EXIT_FAILURE);
      } else {
        setExitCode(summary.written > 0 || summary.lines === 0 ? EXIT_OK : EXIT_FAILURE);
      }
    });
}
