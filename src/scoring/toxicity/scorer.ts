import type { GraphModel, Tensor } from '@tensorflow/tfjs';
import type { Label, LabelScores } from '../../domain/labels';
import type { Scorer } from '../scorer';
import type { Tfjs } from '../tfjs-backend';
import type { UseTokenizer } from './tokenizer';

/** The model's heads, in the order its outputs are requested. */
export const TOXICITY_LABELS = [
  'identity_attack',
  'insult',
  'obscene',
  'severe_toxicity',
  'sexual_explicit',
  'threat',
  'toxicity',
] as const satisfies readonly Label[];

export const TOXICITY_INPUT_IDS = 'Placeholder';
export const TOXICITY_INPUT_POSITIONS = 'Placeholder_1';
export const TOXICITY_OUTPUTS = TOXICITY_LABELS.map((label) => `${label}/predictions/probabilities`);

/** The two flat arrays classify() builds: token ids, and a [sentence, token] pair per id. */
export interface EncodedBatch {
  ids: Int32Array;
  positions: Int32Array;
}

export function encodeBatch(tokenizer: Pick<UseTokenizer, 'encode'>, texts: string[]): EncodedBatch {
  const encodings = texts.map((text) => tokenizer.encode(text));
  const total = encodings.reduce((sum, ids) => sum + ids.length, 0);
  const ids = new Int32Array(total);
  const positions = new Int32Array(total * 2);
  let offset = 0;
  encodings.forEach((sentence, sentenceIndex) => {
    sentence.forEach((id, tokenIndex) => {
      ids[offset] = id;
      positions[offset * 2] = sentenceIndex;
      positions[offset * 2 + 1] = tokenIndex;
      offset++;
    });
  });
  return { ids, positions };
}

/**
 * The published Jigsaw toxicity model (English). Feeds a whole batch per executeAsync and,
 * unlike the package's classify(), disposes its output tensors.
 */
export class TfjsToxicityScorer implements Scorer {
  readonly name = 'toxicity';
  readonly labels: readonly Label[] = TOXICITY_LABELS;

  constructor(
    private readonly tf: Tfjs,
    private readonly model: GraphModel,
    private readonly tokenizer: Pick<UseTokenizer, 'encode'>,
    readonly version: string,
  ) {}

  async score(texts: string[]): Promise<LabelScores[]> {
    if (texts.length === 0) return [];
    const { ids, positions } = encodeBatch(this.tokenizer, texts);
    const inputs = {
      [TOXICITY_INPUT_IDS]: this.tf.tensor1d(ids, 'int32'),
      [TOXICITY_INPUT_POSITIONS]: this.tf.tensor2d(positions, [ids.length, 2], 'int32'),
    };
    let outputs: Tensor[] = [];
    try {
      outputs = (await this.model.executeAsync(inputs, TOXICITY_OUTPUTS)) as Tensor[];
      return await readScores(outputs, texts.length);
    } finally {
      this.tf.dispose([...Object.values(inputs), ...outputs]);
    }
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}

async function readScores(outputs: Tensor[], batchSize: number): Promise<LabelScores[]> {
  const scores: LabelScores[] = Array.from({ length: batchSize }, () => ({}));
  for (const [head, output] of outputs.entries()) {
    if (output.shape[0] !== batchSize || output.shape[1] !== 2) {
      throw new Error(`${TOXICITY_OUTPUTS[head]} has shape [${output.shape}], expected [${batchSize},2]`);
    }
    const probabilities = await output.data();
    for (let i = 0; i < batchSize; i++) scores[i][TOXICITY_LABELS[head]] = probabilities[i * 2 + 1];
  }
  return scores;
}
