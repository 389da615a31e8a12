import type { Label, LabelScores } from '../domain/labels';

/**
 * Every scorer (word lists, Vigie's own model, the published toxicity model) implements this.
 * `score` is batched: one call per micro-batch, results in input order.
 */
export interface Scorer {
  readonly name: string;
  readonly version: string;
  /** The labels this scorer actually knows; others are absent from its LabelScores. */
  readonly labels: readonly Label[];
  score(texts: string[]): Promise<LabelScores[]>;
  close?(): Promise<void>;
}
