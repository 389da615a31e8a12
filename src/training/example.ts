import { LABELS, type Label } from '../domain/labels';

export type Language = 'fr' | 'en';

/**
 * One labelled text. `targets` and `mask` are in LABELS order; mask 0 means the source does not
 * annotate that label (excluded from the loss, not a negative), values in (0,1] weight it.
 */
export interface Example {
  text: string;
  lang: Language;
  source: string;
  targets: Float32Array;
  mask: Float32Array;
  /** Example weight in the loss (language and source balancing). */
  weight: number;
}

export type LabelSpec = Partial<Record<Label, number | { value: number; mask: number }>>;

/** Builds targets/mask from a partial spec; labels absent from the spec are masked out. */
export function makeExample(text: string, lang: Language, source: string, spec: LabelSpec, weight = 1): Example {
  const targets = new Float32Array(LABELS.length);
  const mask = new Float32Array(LABELS.length);
  LABELS.forEach((label, i) => {
    const v = spec[label];
    if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) return;
    if (typeof v === 'number') {
      targets[i] = v;
      mask[i] = 1;
    } else {
      targets[i] = v.value;
      mask[i] = v.mask;
    }
  });
  return { text, lang, source, targets, mask, weight };
}

/** A text judged not toxic is negative for every label. */
export const CLEAN: LabelSpec = Object.fromEntries(LABELS.map((l) => [l, 0])) as LabelSpec;
