/** The Jigsaw / Perspective label set every scorer reports against. */
export const LABELS = [
  'toxicity',
  'severe_toxicity',
  'obscene',
  'threat',
  'insult',
  'identity_attack',
  'sexual_explicit',
] as const;

export type Label = (typeof LABELS)[number];

/**
 * Probabilities in [0,1] per label. A scorer that does not know a label leaves it out
 * rather than inventing 0.
 */
export type LabelScores = Partial<Record<Label, number>>;

export function isLabel(value: string): value is Label {
  return (LABELS as readonly string[]).includes(value);
}
