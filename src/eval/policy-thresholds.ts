import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { LABELS, type Label } from '../domain/labels';

/**
 * The thresholds part of the triage policy (models/policy.json, owned by src/triage/policy.ts).
 * Read leniently here: evaluation only needs the numbers.
 */
const labelMap = z.partialRecord(z.enum(LABELS), z.number().min(0).max(1));
const levelSchema = z.object({ review: labelMap.optional(), reject: labelMap.optional() });
export const policyThresholdsSchema = z.object({
  version: z.string().optional(),
  maxTextLength: z.number().optional(),
  thresholds: z.object({ default: levelSchema }).catchall(levelSchema),
});

export type PolicyThresholds = z.infer<typeof policyThresholdsSchema>;
export type LabelThresholds = Partial<Record<Label, number>>;

export async function readPolicyThresholds(file: string): Promise<PolicyThresholds> {
  return policyThresholdsSchema.parse(JSON.parse(await fs.readFile(file, 'utf8')));
}

/** Review/reject thresholds for a language: the language's entries over the defaults ("other" for unknown languages). */
export function thresholdsFor(policy: PolicyThresholds, lang: string): { review: LabelThresholds; reject: LabelThresholds } {
  const base = policy.thresholds.default;
  const specific = policy.thresholds[lang] ?? (lang === 'default' ? undefined : policy.thresholds.other);
  return {
    review: { ...base.review, ...specific?.review },
    reject: { ...base.reject, ...specific?.reject },
  };
}
