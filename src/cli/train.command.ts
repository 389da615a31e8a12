import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../lib/logger';
import { runTraining } from '../training/run-training';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function backendName(value: string): 'tensorflow' | 'wasm' | 'cpu' {
  if (value === 'tensorflow' || value === 'wasm' || value === 'cpu') return value;
  throw new InvalidArgumentError('expected tensorflow, wasm or cpu');
}

/** Examples written for the project (models/README.md says what each file covers). */
const DEFAULT_AUTHORED_FILES = ['authored-fr.jsonl', 'authored-fr-2.jsonl', 'authored-en-2.jsonl'].map((f) => path.join('models', 'data', f));

function fraction(value: string): number {
  const f = Number(value);
  if (!(f >= 0 && f < 1)) throw new InvalidArgumentError(`expected a fraction in [0, 1), got "${value}"`);
  return f;
}

/** `vigie train`: trains Vigie's own model from the shared labelled datasets (see models/README.md). */
export function trainCommand(): Command {
  return new Command('train')
    .description('train the vigie-fr-en model (hashed n-gram embedding bag + MLP) with TensorFlow.js')
    .option('--datasets-dir <dir>', 'labelled datasets folder', path.join('..', 'shared', 'datasets'))
    .option('--out <dir>', 'output model folder', path.join('models', 'vigie-fr-en'))
    .option('--authored <file...>', 'project-authored JSONL examples', DEFAULT_AUTHORED_FILES)
    .option('--authored-dev-fraction <f>', 'share of the authored examples held out as the authored-fr/-en development sets', fraction, 0.2)
    .option('--epochs <n>', 'training epochs', positiveInt, 2)
    .option('--seed <n>', 'random seed (init, shuffling, splits)', positiveInt, 20261123)
    .option('--limit <n>', 'at most n training rows per source (quick runs)', positiveInt)
    .option('--policy-out <file>', 'calibrated thresholds output (policy shape)', path.join('models', 'policy.calibrated.json'))
    .option('--no-policy-out', 'skip threshold calibration')
    .option('--dev-out <dir>', 'write the held-out development sets as JSONL here')
    .option('--backend <name>', 'tfjs backend for training (wasm is fastest without tfjs-node)', backendName, 'wasm')
    .option('--dev-each-epoch', 'log the development toxicity ROC-AUC after every epoch')
    .option('--log-level <level>', 'log level', 'info')
    .action(async (opts: {
      datasetsDir: string;
      out: string;
      authored: string[];
      authoredDevFraction: number;
      epochs: number;
      seed: number;
      limit?: number;
      policyOut: string | false;
      devOut?: string;
      backend: 'tensorflow' | 'wasm' | 'cpu';
      devEachEpoch?: boolean;
      logLevel: string;
    }) => {
      const logger = createLogger(opts.logLevel);
      const result = await runTraining({
        datasetsDir: path.resolve(opts.datasetsDir),
        outDir: path.resolve(opts.out),
        authoredFiles: opts.authored.map((f) => path.resolve(f)),
        authoredDevFraction: opts.authoredDevFraction,
        seed: opts.seed,
        epochs: opts.epochs,
        limit: opts.limit,
        policyOut: opts.policyOut === false ? undefined : path.resolve(opts.policyOut),
        devOut: opts.devOut && path.resolve(opts.devOut),
        backend: opts.backend,
        devEachEpoch: opts.devEachEpoch,
        logger,
      });
      const summary = Object.fromEntries(
        Object.entries(result.dev).map(([name, r]) => [name, Number((r.labels.toxicity?.rocAuc ?? NaN).toFixed(4))]),
      );
      logger.info({ version: result.metadata.version, trainingSeconds: result.trainingSeconds, toxicityAuc: summary }, 'training finished');
    });
}
