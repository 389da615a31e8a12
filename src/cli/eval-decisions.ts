import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../store/database';
import { listModeratedPairsPage } from '../store/rescore.repository';
import { loadPolicy, parsePolicy } from '../triage/policy';
import { parseDateOption, InvalidFilterError } from '../operations/comment-filter';
import { AgreementAccumulator, policyWithSuggestions, type Agreement, type AgreementReport } from '../operations/decision-agreement';
import { writeChunk } from '../operations/output-file';
import { CliError, EXIT } from './runtime';
import { EXIT_INTERRUPTED, openOperatorContext, type OperatorDeps } from './rescore.command';

export interface EvalFromDecisionsOptions extends OperatorDeps {
  /** ISO date or a duration ago (7d): moderator decisions from then on */
  since?: string;
  /** precision the suggested reject thresholds must reach (default 0.9) */
  targetPrecision?: number;
  json?: boolean;
  /** write the base policy with the suggested thresholds, as a new version, to this (new) file */
  writePolicy?: string;
  /** base policy (default POLICY_FILE, else models/policy.json) */
  policy?: string;
  /** moderator rejections with a score needed before a label gets a suggestion (default 10) */
  minPositives?: number;
  now?: Date;
}

export interface EvalFromDecisionsResult extends AgreementReport {
  basePolicy: { file: string | null; version: string };
  since: string | null;
  policyWritten: { file: string; version: string } | null;
}

const PAGE = 1_000;

/**
 * `vigie eval --from-decisions`: how often the machine agreed with moderators (per label and
 * language, with false-positive and false-negative examples), and the reject thresholds that
 * would have reached the target precision, optionally written as a new policy version.
 * A moderator's reject counts as positive, approve as negative; escalations are left out.
 */
export async function runEvalFromDecisions(options: EvalFromDecisionsOptions = {}): Promise<EvalFromDecisionsResult> {
  const targetPrecision = options.targetPrecision ?? 0.9;
  if (!(targetPrecision > 0 && targetPrecision < 1)) {
    throw new CliError(`--target-precision must be between 0 and 1 (exclusive), got ${targetPrecision}`, EXIT.usage);
  }
  let since: Date | undefined;
  try {
    since = options.since === undefined ? undefined : parseDateOption('--since', options.since, options.now);
  } catch (err) {
    if (err instanceof InvalidFilterError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  if (options.writePolicy && fs.existsSync(options.writePolicy)) {
    throw new CliError(`--write-policy ${options.writePolicy} already exists; policies are versioned, write a new file`, EXIT.usage);
  }
  const ctx = openOperatorContext(options);
  try {
    const policyFile = options.policy ?? ctx.base.config.POLICY_FILE;
    let policy;
    try {
      policy = loadPolicy(policyFile);
    } catch (err) {
      throw new CliError((err as Error).message, EXIT.usage);
    }
    const db: Database = await ctx.openDb();
    const accumulator = new AgreementAccumulator();
    let afterId: string | undefined;
    for (;;) {
      const page = await listModeratedPairsPage(db, { since, afterId, limit: PAGE });
      for (const pair of page) accumulator.add(pair);
      if (page.length < PAGE || ctx.signal.aborted) break;
      afterId = page[page.length - 1].commentId;
    }
    if (ctx.signal.aborted) throw new CliError('interrupted; nothing written', EXIT_INTERRUPTED);
    const report = accumulator.report(policy, { targetPrecision, minPositives: options.minPositives });
    const result: EvalFromDecisionsResult = {
      ...report,
      basePolicy: { file: policyFile ?? null, version: policy.version },
      since: since?.toISOString() ?? null,
      policyWritten: null,
    };
    if (options.writePolicy) {
      if (report.suggestions.length === 0) {
        throw new CliError(
          `no threshold to suggest (${report.overall.compared} moderator decisions compared): nothing written to ${options.writePolicy}` +
            (report.insufficient.length ? `\n  ${report.insufficient.join('\n  ')}` : ''),
          EXIT.failure,
        );
      }
      const next = policyWithSuggestions(policy, report, { since, now: options.now });
      parsePolicy(next); // never write a policy the workers would refuse
      const target = path.resolve(options.writePolicy);
      const partial = `${target}.partial`;
      fs.writeFileSync(partial, JSON.stringify(next, null, 2) + '\n', { flag: 'wx' });
      fs.renameSync(partial, target);
      result.policyWritten = { file: target, version: String(next.version) };
    }
    await writeChunk(ctx.stdout, options.json ? JSON.stringify(result) + '\n' : formatEvalFromDecisions(result));
    return result;
  } finally {
    await ctx.close();
  }
}

const pct = (v: number | null) => (v === null ? '  n/a' : `${(v * 100).toFixed(1).padStart(5)}%`);

function agreementLine(name: string, a: Agreement): string {
  return `  ${name.padEnd(9)} ${String(a.compared).padStart(6)}  agree ${pct(a.agreement)}  precision ${pct(a.precision)}  recall ${pct(a.recall)}  FP ${a.falsePositives}  FN ${a.falseNegatives}`;
}

export function formatEvalFromDecisions(r: EvalFromDecisionsResult): string {
  const lines: string[] = [];
  lines.push(
    `Machine vs moderator decisions${r.since ? ` since ${r.since}` : ''} — ${r.pairs} moderated comments ` +
      `(${r.escalated} escalations left out); base policy ${r.basePolicy.version}`,
  );
  lines.push('  "flagged" = machine review or reject; "positive" = moderator reject', '');
  lines.push(agreementLine('all', r.overall));
  for (const [language, a] of Object.entries(r.byLanguage)) lines.push(agreementLine(language, a));
  lines.push('', 'Per label (machine flagged for the label → share moderators rejected)');
  for (const [label, a] of Object.entries(r.byLabel)) {
    const perLanguage = Object.entries(r.byLabelAndLanguage)
      .filter(([, labels]) => labels[label])
      .map(([language, labels]) => `${language} ${labels[label].confirmed}/${labels[label].flagged}`)
      .join(', ');
    lines.push(`  ${label.padEnd(16)} ${a.confirmed}/${a.flagged} ${pct(a.precision)}  (${perLanguage})`);
  }
  for (const [title, examples] of [
    ['False positives (machine flagged, moderator approved)', r.falsePositives],
    ['False negatives (machine approved, moderator rejected)', r.falseNegatives],
  ] as const) {
    if (examples.length === 0) continue;
    lines.push('', title);
    for (const e of examples) {
      lines.push(`  ${e.commentId} [${e.language ?? '?'}] ${e.topLabel ?? '-'} ${e.topScore?.toFixed(2) ?? '-'} ${JSON.stringify(e.excerpt)}`);
    }
  }
  lines.push('', `Suggested reject thresholds for precision ${r.targetPrecision}`);
  if (r.suggestions.length === 0) lines.push('  none');
  for (const s of r.suggestions) {
    lines.push(
      `  ${`${s.label}${s.language === 'default' ? '' : ` (${s.language})`}`.padEnd(22)} > ${s.threshold.toFixed(4)}  (now ${s.current ?? '-'})  ` +
        `precision ${pct(s.precision)} recall ${pct(s.recall)} on ${s.flagged} flagged${s.clamped ? ', raised to the review threshold' : ''}`,
    );
  }
  for (const note of r.insufficient) lines.push(`  not enough data: ${note}`);
  if (r.policyWritten) {
    lines.push('', `Wrote policy version ${r.policyWritten.version} to ${r.policyWritten.file}`);
    lines.push(`Try it: vigie rescore --dry-run --policy ${r.policyWritten.file}`);
  }
  return lines.join('\n') + '\n';
}
