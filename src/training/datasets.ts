import { existsSync } from 'node:fs';
import path from 'node:path';
import { readTable, type TableRow } from '../eval/read-table';
import { CLEAN, makeExample, type Example, type Language, type LabelSpec } from './example';
import { createRng, isHeldOut, shuffleInPlace } from './rng';

/**
 * One labelled source and how its annotation maps onto Vigie's 7 labels. Labels a source does
 * not annotate stay masked. See models/README.md for the rationale of each mapping.
 */
export interface SourceSpec {
  name: string;
  lang: Language;
  files: string[];
  /** Returns undefined to skip a row (ambiguous or unusable). */
  map(row: TableRow, file: string): { text: string; spec: LabelSpec } | undefined;
  /** Fraction held out as a development set (seeded split on the text), 0 for none. */
  devFraction: number;
  /** Whole files used only for development (never trained on). */
  devFiles?: string[];
  weight: number;
  /** Training rows are randomly capped at this many (seeded) to keep the mix balanced. */
  maxTrainRows?: number;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number => Number(str(v));

export const SOURCES: readonly SourceSpec[] = [
  {
    name: 'fr-toxifrench',
    lang: 'fr',
    files: ['fr/toxifrench-dev/toxifrench_dev.csv'],
    map: (r) => ({ text: str(r.content), spec: num(r.label) === 1 ? { toxicity: 1 } : CLEAN }),
    devFraction: 0.5,
    weight: 4,
  },
  {
    name: 'fr-mlma',
    lang: 'fr',
    files: ['fr/mlma/fr_dataset.csv'],
    map: (r) => {
      const tags = str(r.sentiment).split('_');
      if (tags.length === 1 && tags[0] === 'normal') return { text: str(r.tweet), spec: CLEAN };
      // Annotators split between normal and abusive, or fear only: no clear toxicity label.
      if (tags.includes('normal') || (tags.length === 1 && tags[0] === 'fearful')) return undefined;
      return { text: str(r.tweet), spec: { toxicity: 1, ...(tags.includes('hateful') ? { identity_attack: 1 } : {}) } };
    },
    devFraction: 0.2,
    weight: 1.5,
  },
  {
    name: 'fr-ftr',
    lang: 'fr',
    files: ['fr/ftr/FTR_new_labels.csv'],
    map: (r) =>
      num(r.label) === 1
        ? { text: str(r.tweet), spec: { toxicity: 1, identity_attack: 1 } }
        : { text: str(r.tweet), spec: { identity_attack: 0, toxicity: { value: 0, mask: 0.3 } } },
    devFraction: 0,
    weight: 1,
  },
  {
    name: 'fr-jigsaw-mt',
    lang: 'fr',
    files: ['fr/jigsaw2018-fr-mt/jigsaw2018_subset_fr_translated.csv'],
    map: (r) => ({ text: str(r.content), spec: jigsawSpec(r) }),
    devFraction: 0.2,
    weight: 1.5,
  },
  {
    name: 'en-civil',
    lang: 'en',
    files: ['en/civil-toxic-spans/derived_per_comment_labels.csv'],
    map: (r) => ({
      text: str(r.comment_text),
      spec: {
        toxicity: 1 - num(r.frac_not_toxic),
        insult: num(r.frac_insult),
        threat: num(r.frac_threat),
        obscene: num(r.frac_obscene),
        identity_attack: num(r.frac_identity_attack),
      },
    }),
    devFraction: 0.1,
    weight: 1,
  },
  {
    name: 'en-mhs',
    lang: 'en',
    files: ['en/measuring-hate-speech/train_20000.csv'],
    devFiles: ['en/measuring-hate-speech/dev_500.csv'],
    map: (r) =>
      num(r.label) === 1
        ? { text: str(r.text), spec: { toxicity: 1, identity_attack: 1 } }
        : // Not hateful is not necessarily civil: a weak negative for toxicity.
          { text: str(r.text), spec: { identity_attack: 0, toxicity: { value: 0, mask: 0.5 } } },
    devFraction: 0,
    weight: 1,
    maxTrainRows: 12000,
  },
  {
    name: 'en-jigsaw',
    lang: 'en',
    files: ['en/jigsaw2018-sample/train_sample.csv'],
    devFiles: ['en/jigsaw2018-sample/val_sample.csv'],
    map: (r) => ({ text: str(r.comment_text), spec: jigsawSpec(r) }),
    devFraction: 0,
    weight: 1,
  },
  {
    name: 'en-gab',
    lang: 'en',
    files: ['en/gab-hate/ghc_train.tsv'],
    map: (r) => {
      const hd = num(r.hd);
      const cv = num(r.cv);
      const vo = num(r.vo);
      const spec: LabelSpec = { identity_attack: hd, threat: cv, obscene: vo };
      if (hd || cv || vo) spec.toxicity = 1;
      return { text: str(r.text), spec };
    },
    devFraction: 0,
    weight: 0.7,
    maxTrainRows: 8000,
  },
  {
    name: 'en-davidson',
    lang: 'en',
    files: ['en/davidson/labeled_data.csv'],
    map: (r) => {
      const count = num(r.count) || 1;
      const hate = num(r.hate_speech) / count;
      const offensive = num(r.offensive_language) / count;
      if (num(r.class) === 2 && hate === 0 && offensive === 0) return { text: str(r.tweet), spec: CLEAN };
      return { text: str(r.tweet), spec: { toxicity: hate + offensive, identity_attack: hate } };
    },
    devFraction: 0,
    weight: 0.7,
    maxTrainRows: 8000,
  },
  {
    name: 'en-stormfront',
    lang: 'en',
    files: ['en/stormfront/stormfront_sentences.csv'],
    map: (r) => {
      if (r.label === 'hate') return { text: str(r.text), spec: { toxicity: 1, identity_attack: 1 } };
      if (r.label === 'noHate') return { text: str(r.text), spec: CLEAN };
      return undefined;
    },
    devFraction: 0,
    weight: 0.7,
    maxTrainRows: 6000,
  },
  {
    name: 'en-implicit-hate',
    lang: 'en',
    files: ['en/implicit-hate/implicit_hate_v1_stg1_posts.tsv'],
    map: (r) => {
      const c = str(r.class);
      if (c === 'explicit_hate') return { text: str(r.post), spec: { toxicity: 1, identity_attack: 1 } };
      if (c === 'implicit_hate') return { text: str(r.post), spec: { identity_attack: 1, toxicity: { value: 1, mask: 0.5 } } };
      if (c === 'not_hate') return { text: str(r.post), spec: CLEAN };
      return undefined;
    },
    devFraction: 0,
    weight: 0.7,
    maxTrainRows: 8000,
  },
  {
    name: 'en-implicit-hate-threats',
    lang: 'en',
    files: ['en/implicit-hate/implicit_hate_v1_stg2_posts.tsv'],
    map: (r) => {
      const c = str(r.implicit_class);
      // Stage 2 holds only implicitly hateful posts; "threatening" and "incitement" carry violence.
      if (c === 'threatening') return { text: str(r.post), spec: { threat: 1, identity_attack: 1 } };
      return { text: str(r.post), spec: { threat: 0, identity_attack: 1 } };
    },
    devFraction: 0,
    weight: 0.7,
    maxTrainRows: 3000,
  },
  {
    name: 'en-surge',
    lang: 'en',
    files: ['en/surge-toxicity/toxicity_en.csv'],
    map: (r) => ({ text: str(r.text), spec: r.is_toxic === 'Toxic' ? { toxicity: 1 } : CLEAN }),
    devFraction: 0,
    weight: 1,
  },
];

function jigsawSpec(r: TableRow): LabelSpec {
  const toxic = num(r.toxic);
  return {
    toxicity: toxic,
    severe_toxicity: num(r.severe_toxic),
    obscene: num(r.obscene),
    threat: num(r.threat),
    insult: num(r.insult),
    identity_attack: num(r.identity_hate),
    ...(toxic === 0 ? { sexual_explicit: 0 } : {}),
  };
}

export interface LoadedData {
  train: Example[];
  /** Development sets by name (e.g. "fr-toxifrench"), never trained on. */
  dev: Record<string, Example[]>;
  /** Rows per source: train / dev / skipped. */
  counts: Record<string, { train: number; dev: number; skipped: number }>;
}

export interface LoadDataOptions {
  datasetsDir: string;
  seed: number;
  /** Extra project-authored examples (JSONL: {text, lang, labels:{label: 0|1}}). */
  authoredFiles?: string[];
  /**
   * Fraction of every authored file held out as the "authored-fr" / "authored-en" development
   * sets (seeded split on the text): how the functional cases — negation, counter-speech,
   * quoting, obfuscation — generalise to lines the model never saw.
   */
  authoredDevFraction?: number;
  /** Loss weight of an authored example (before the French multiplier). */
  authoredWeight?: number;
  /** Take at most this many training rows per source (tiny runs for tests). */
  limitPerSource?: number;
  sources?: readonly SourceSpec[];
  log?: (msg: string) => void;
}

/** Reads every source present under datasetsDir, maps labels and applies the seeded splits. */
export async function loadTrainingData(opts: LoadDataOptions): Promise<LoadedData> {
  const train: Example[] = [];
  const dev: Record<string, Example[]> = {};
  const counts: LoadedData['counts'] = {};
  const devKeys = new Set<string>();
  for (const source of opts.sources ?? SOURCES) {
    const c = { train: 0, dev: 0, skipped: 0 };
    counts[source.name] = c;
    const sourceTrain: Example[] = [];
    const toExamples = async (file: string): Promise<Example[]> => {
      const full = path.join(opts.datasetsDir, file);
      if (!existsSync(full)) {
        opts.log?.(`skipping missing ${file}`);
        return [];
      }
      const out: Example[] = [];
      for (const row of await readTable(full)) {
        const mapped = source.map(row, file);
        const text = mapped?.text.trim();
        if (!mapped || !text || Object.values(mapped.spec).some((v) => typeof v === 'number' && !Number.isFinite(v))) {
          c.skipped++;
          continue;
        }
        out.push(makeExample(text, source.lang, source.name, mapped.spec, source.weight));
      }
      return out;
    };
    for (const file of source.files) {
      for (const ex of await toExamples(file)) {
        if (source.devFraction > 0 && isHeldOut(ex.text, opts.seed, source.devFraction)) {
          (dev[source.name] ??= []).push(ex);
          devKeys.add(dedupKey(ex.text));
          c.dev++;
        } else sourceTrain.push(ex);
      }
    }
    for (const file of source.devFiles ?? []) {
      for (const ex of await toExamples(file)) {
        (dev[source.name] ??= []).push(ex);
        devKeys.add(dedupKey(ex.text));
        c.dev++;
      }
    }
    const cap = Math.min(source.maxTrainRows ?? Infinity, opts.limitPerSource ?? Infinity);
    if (sourceTrain.length > cap) shuffleInPlace(sourceTrain, createRng(opts.seed ^ hashName(source.name))).length = cap;
    train.push(...sourceTrain);
  }
  for (const file of opts.authoredFiles ?? []) {
    if (!existsSync(file)) {
      opts.log?.(`skipping missing ${file}`);
      continue;
    }
    const examples = (await readAuthored(file, opts.authoredWeight)).slice(0, opts.limitPerSource ?? Infinity);
    for (const ex of examples) {
      const c = (counts[ex.source] ??= { train: 0, dev: 0, skipped: 0 });
      if (isHeldOut(ex.text, opts.seed, opts.authoredDevFraction ?? 0)) {
        (dev[ex.source] ??= []).push(ex);
        devKeys.add(dedupKey(ex.text));
        c.dev++;
      } else train.push(ex);
    }
  }
  // A text that also occurs in a development set (other source, duplicate) is never trained on.
  const kept = train.filter((ex) => !devKeys.has(dedupKey(ex.text)));
  for (const ex of train) {
    const c = counts[ex.source];
    if (!c) continue;
    if (devKeys.has(dedupKey(ex.text))) c.skipped++;
    else c.train++;
  }
  return { train: kept, dev, counts };
}

function dedupKey(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function hashName(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return h;
}

/** Project-authored examples: one JSON object per line, {text, lang?, labels: {label: value}}. */
export async function readAuthored(file: string, weight = 3): Promise<Example[]> {
  const rows = await readTable(file);
  return rows.map((row, i) => {
    const text = str(row.text).trim();
    const labels = row.labels as LabelSpec | undefined;
    if (!text || !labels || typeof labels !== 'object') throw new Error(`${file}: row ${i + 1} needs text and labels`);
    const spec: LabelSpec = labels.toxicity === 0 ? { ...CLEAN, ...labels } : labels;
    const lang = row.lang === 'en' ? 'en' : 'fr';
    return makeExample(text, lang, `authored-${lang}`, spec, weight);
  });
}
