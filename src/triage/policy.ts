import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Language } from '../domain/decision';
import { LABELS, type Label } from '../domain/labels';
import { packageRoot } from '../lib/package-root';

const probability = z.number().min(0).max(1);
const labelThresholds = z.partialRecord(z.enum(LABELS), probability);

const thresholdSet = z.object({
  review: labelThresholds.default({}),
  reject: labelThresholds.default({}),
});

export const policySchema = z.object({
  version: z.string().min(1),
  notes: z.string().optional(),
  /** characters scored per comment; the rest is not scored and the comment goes to review */
  maxTextLength: z.number().int().positive().max(1_000_000),
  thresholds: z.object({
    default: thresholdSet,
    fr: thresholdSet.partial().optional(),
    en: thresholdSet.partial().optional(),
    other: thresholdSet.partial().optional(),
  }),
});

export type Policy = z.infer<typeof policySchema>;
export type LabelThresholds = Partial<Record<Label, number>>;

export interface ResolvedThresholds {
  review: LabelThresholds;
  reject: LabelThresholds;
}

const POLICY_FILE = path.join('models', 'policy.json');

function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) freezeDeep(child);
    Object.freeze(value);
  }
  return value;
}

export function parsePolicy(raw: unknown): Policy {
  return freezeDeep(policySchema.parse(raw));
}

/** Reads and validates the policy file (default: models/policy.json at the package root). */
export function loadPolicy(file: string = path.join(packageRoot(), POLICY_FILE)): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read policy ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parsePolicy(raw);
}

/** Per-language thresholds laid over the defaults, label by label. */
export function resolveThresholds(policy: Policy, language: Language): ResolvedThresholds {
  const override = policy.thresholds[language];
  return {
    review: { ...policy.thresholds.default.review, ...override?.review },
    reject: { ...policy.thresholds.default.reject, ...override?.reject },
  };
}
