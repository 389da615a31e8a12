import type { Logger } from '../../lib/logger';
import { LABELS, type Label, type LabelScores } from '../../domain/labels';
import type { Scorer } from '../scorer';
import { OwnModelForward } from './forward';
import { readModel, type ModelMetadata, type OwnModelWeights } from './model-format';
import { defaultModelDir } from './model-dir';

export interface OwnModelScorerOptions {
  logger?: Logger;
}

/**
 * Vigie's own French/English model (hashed n-gram embedding bag + small MLP, trained with
 * TensorFlow.js by `vigie train`), evaluated in plain TypeScript for speed.
 */
export class OwnModelScorer implements Scorer {
  readonly name: string;
  readonly version: string;
  readonly labels: readonly Label[] = LABELS;
  private readonly forward: OwnModelForward;

  private constructor(
    readonly metadata: ModelMetadata,
    readonly weights: OwnModelWeights,
  ) {
    this.name = metadata.name;
    this.version = metadata.version;
    this.forward = new OwnModelForward(weights);
  }

  /** Loads the model from `dir` (default: models/vigie-fr-en in the package root). */
  static async load(dir: string = defaultModelDir(), opts: OwnModelScorerOptions = {}): Promise<OwnModelScorer> {
    const started = Date.now();
    const { metadata, weights } = await readModel(dir);
    opts.logger?.info(
      { model: metadata.name, version: metadata.version, ms: Date.now() - started },
      'own model loaded',
    );
    return new OwnModelScorer(metadata, weights);
  }

  /** Probabilities as a flat Float32Array, texts × LABELS; the allocation-free path for bulk work. */
  predict(texts: readonly string[]): Float32Array {
    const out = new Float32Array(texts.length * LABELS.length);
    for (let i = 0; i < texts.length; i++) this.forward.predictInto(texts[i], out, i * LABELS.length);
    return out;
  }

  async score(texts: string[]): Promise<LabelScores[]> {
    const flat = this.predict(texts);
    const result: LabelScores[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const scores: LabelScores = {};
      for (let l = 0; l < LABELS.length; l++) scores[LABELS[l]] = flat[i * LABELS.length + l];
      result[i] = scores;
    }
    return result;
  }
}
