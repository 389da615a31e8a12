import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LABELS, type Label } from '../domain/labels';
import type { Logger } from '../lib/logger';
import { rocAuc } from '../eval/metrics';
import { OwnModelForward } from '../scoring/own-model/forward';
import { evaluateItems, type EvalReport, type ScoredItem } from '../eval/evaluate';
import { DEFAULT_FEATURIZER, type FeaturizerConfig } from '../scoring/own-model/features';
import { roundTripQuantized, saveModel, type ModelMetadata } from '../scoring/own-model/model-format';
import { OwnModelScorer } from '../scoring/own-model/scorer';
import { initTfjsBackend, type TfjsBackendName } from '../scoring/tfjs-backend';
import { calibrateThresholds, DEFAULT_CALIBRATION } from './calibrate';
import { loadTrainingData, SOURCES } from './datasets';
import type { Example } from './example';
import { DEFAULT_TRAIN_OPTIONS, trainModel, type TrainOptions } from './train-model';

export interface RunTrainingOptions {
  datasetsDir: string;
  outDir: string;
  authoredFiles: string[];
  /** Share of the authored examples held out for development (default 0: all trained on). */
  authoredDevFraction?: number;
  authoredWeight?: number;
  seed: number;
  epochs: number;
  /** Per-source cap on training rows (tiny runs). */
  limit?: number;
  /** Where the calibrated thresholds go (policy shape); none when undefined. */
  policyOut?: string;
  /** Writes each development set as JSONL here (for `vigie eval`). */
  devOut?: string;
  backend?: TfjsBackendName;
  /** Logs the development toxicity ROC-AUC after every epoch (costs a few seconds each). */
  devEachEpoch?: boolean;
  featurizer?: Partial<FeaturizerConfig>;
  train?: Partial<Omit<TrainOptions, 'featurizer' | 'seed' | 'epochs'>>;
  logger: Logger;
}

export interface RunTrainingResult {
  metadata: ModelMetadata;
  trainingSeconds: number;
  dev: Record<string, EvalReport>;
}

/** `vigie train` end to end: data → TF.js training → int8 export → dev evaluation → calibration. */
export async function runTraining(opts: RunTrainingOptions): Promise<RunTrainingResult> {
  const log = opts.logger;
  const { tf, backend } = await initTfjsBackend({ logger: log, prefer: opts.backend ?? 'wasm' });
  const data = await loadTrainingData({
    datasetsDir: opts.datasetsDir,
    seed: opts.seed,
    authoredFiles: opts.authoredFiles,
    authoredDevFraction: opts.authoredDevFraction,
    authoredWeight: opts.authoredWeight,
    limitPerSource: opts.limit,
    log: (msg) => log.warn(msg),
  });
  if (data.train.length === 0) throw new Error(`no training data found under ${opts.datasetsDir}`);
  log.info({ counts: data.counts, train: data.train.length }, 'training data loaded');
  const featurizer: FeaturizerConfig = { ...DEFAULT_FEATURIZER, ...opts.featurizer };
  const trainOpts: TrainOptions = {
    ...DEFAULT_TRAIN_OPTIONS,
    ...opts.train,
    featurizer,
    seed: opts.seed,
    epochs: opts.epochs,
    onEpoch: async ({ epoch, loss, seconds, snapshot }) => {
      const info: Record<string, unknown> = { epoch, loss: Number(loss.toFixed(4)), seconds };
      if (opts.devEachEpoch) info.devToxicityAuc = devToxicityAuc(new OwnModelForward(await snapshot()), data.dev);
      log.info(info, 'epoch done');
    },
  };
  const started = Date.now();
  const weights = roundTripQuantized(await trainModel(tf, data.train, trainOpts));
  const trainingSeconds = (Date.now() - started) / 1000;
  const createdAt = new Date().toISOString();
  const { seed, epochs, embeddingDim, hiddenDim, batchSize, learningRate, embeddingOptimizer, embeddingLearningRate, wideLearningRate, featureDropout, frenchWeight } = trainOpts;
  const metadata = await saveModel(opts.outDir, weights, {
    name: 'vigie-fr-en',
    createdAt,
    training: {
      backend,
      seed,
      epochs,
      embeddingDim,
      hiddenDim,
      batchSize,
      learningRate,
      embeddingOptimizer,
      embeddingLearningRate,
      wideLearningRate,
      featureDropout,
      frenchWeight,
      trainingSeconds,
      rows: data.counts,
      sources: SOURCES.map((s) => ({ name: s.name, files: s.files, devFiles: s.devFiles ?? [], devFraction: s.devFraction, weight: s.weight, maxTrainRows: s.maxTrainRows ?? null })),
      authored: opts.authoredFiles.map((f) => path.basename(f)),
    },
  });
  log.info({ version: metadata.version, trainingSeconds }, 'model saved');

  const scorer = await OwnModelScorer.load(opts.outDir);
  const dev: Record<string, EvalReport> = {};
  const calibrationItems: ScoredItem[] = [];
  for (const [name, examples] of Object.entries(data.dev)) {
    const items = await scoreExamples(scorer, examples);
    // Authored lines are balanced by construction: their base rates would pull thresholds far
    // below what a newsroom stream tolerates, so they measure the model but do not calibrate it.
    if (!name.startsWith('authored')) calibrationItems.push(...items);
    dev[name] = evaluateItems(items);
    if (opts.devOut) await writeDevSet(path.join(opts.devOut, `${name}.jsonl`), examples);
  }
  if (opts.policyOut) {
    const { policy, details } = calibrateThresholds(calibrationItems, { ...DEFAULT_CALIBRATION, version: `calibrated-${metadata.version}` });
    await fs.mkdir(path.dirname(opts.policyOut), { recursive: true });
    await fs.writeFile(opts.policyOut, JSON.stringify(policy, null, 2) + '\n');
    await fs.writeFile(path.join(opts.outDir, 'calibration.json'), JSON.stringify(details, null, 2) + '\n');
  }
  await fs.writeFile(path.join(opts.outDir, 'dev-report.json'), JSON.stringify(dev, null, 2) + '\n');
  return { metadata, trainingSeconds, dev };
}

function devToxicityAuc(forward: OwnModelForward, dev: Record<string, Example[]>): Record<string, number> {
  const out: Record<string, number> = {};
  const t = LABELS.indexOf('toxicity');
  const probs = new Float32Array(LABELS.length);
  for (const [name, examples] of Object.entries(dev)) {
    const scores: number[] = [];
    const gold: number[] = [];
    for (const ex of examples) {
      if (!(ex.mask[t] > 0)) continue;
      forward.predictInto(ex.text, probs, 0);
      scores.push(probs[t]);
      gold.push(ex.targets[t] >= 0.5 ? 1 : 0);
    }
    out[name] = Number(rocAuc(scores, gold).toFixed(4));
  }
  return out;
}

async function scoreExamples(scorer: OwnModelScorer, examples: readonly Example[]): Promise<ScoredItem[]> {
  const scores = await scorer.score(examples.map((e) => e.text));
  return examples.map((ex, i) => ({ gold: goldOf(ex), scores: scores[i], lang: ex.lang }));
}

function goldOf(ex: Example): Partial<Record<Label, number>> {
  const gold: Partial<Record<Label, number>> = {};
  LABELS.forEach((label, l) => {
    if (ex.mask[l] > 0) gold[label] = ex.targets[l];
  });
  return gold;
}

/** A development set as JSONL: text, lang, source and one column per annotated label. */
async function writeDevSet(file: string, examples: readonly Example[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const lines = examples.map((ex) => JSON.stringify({ text: ex.text, lang: ex.lang, source: ex.source, ...goldOf(ex) }));
  await fs.writeFile(file, lines.join('\n') + '\n');
}
