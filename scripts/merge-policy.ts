/**
 * Merges the thresholds `vigie train` calibrated (models/policy.calibrated.json) into the shipped
 * policy (models/policy.json), with the project's rules for production:
 * - review thresholds: the calibrated ones, for every language group except "other";
 * - reject thresholds: the calibrated ones with a floor of REJECT_FLOOR — the development sets are
 *   far more toxic than a newsroom's stream, so their precision overstates production precision;
 * - "other" (neither French nor English) keeps the current policy's stricter review thresholds.
 *
 *   node dist/scripts/merge-policy.js <new version> [calibrated] [policy]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REJECT_FLOOR = 0.9;

type Thresholds = Record<string, number>;
interface PolicyFile {
  version: string;
  notes?: string;
  maxTextLength: number;
  thresholds: Record<string, { review: Thresholds; reject: Thresholds }>;
}

function floorAll(thresholds: Thresholds): Thresholds {
  return Object.fromEntries(Object.entries(thresholds).map(([label, value]) => [label, Math.max(value, REJECT_FLOOR)]));
}

export function mergePolicy(calibrated: PolicyFile, current: PolicyFile, version: string): PolicyFile {
  const thresholds: PolicyFile['thresholds'] = {};
  for (const [group, calibratedGroup] of Object.entries(calibrated.thresholds)) {
    const review = group === 'other' && current.thresholds.other ? current.thresholds.other.review : calibratedGroup.review;
    thresholds[group] = { review, reject: floorAll(calibratedGroup.reject) };
  }
  return {
    version,
    notes:
      `Review thresholds per label and language calibrated by \`vigie train\` on held-out development splits (models/policy.calibrated.json, ${calibrated.version}): ` +
      'the highest threshold keeping 80% recall, raised to reach precision 0.5. Reject thresholds are the calibrated precision-0.9 thresholds with a floor of ' +
      `${REJECT_FLOOR}: the development sets are far more toxic than a newsroom's stream, so their precision overstates production precision and automatic rejection must stay rare. ` +
      "'other' (neither French nor English) keeps the stricter review thresholds of the previous version (strong signals only). A score must be strictly above a threshold. " +
      'Merged by scripts/merge-policy.ts.',
    maxTextLength: current.maxTextLength,
    thresholds,
  };
}

if (require.main === module) {
  const [version, calibratedFile = 'models/policy.calibrated.json', policyFile = 'models/policy.json'] = process.argv.slice(2);
  if (!version) {
    console.error('usage: node dist/scripts/merge-policy.js <new version> [calibrated.json] [policy.json]');
    process.exit(2);
  }
  const read = (file: string): PolicyFile => JSON.parse(readFileSync(path.resolve(file), 'utf8')) as PolicyFile;
  const merged = mergePolicy(read(calibratedFile), read(policyFile), version);
  writeFileSync(path.resolve(policyFile), JSON.stringify(merged, null, 2) + '\n');
  console.log(`${policyFile}: version ${version} from ${calibratedFile}`);
}
