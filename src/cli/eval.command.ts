import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { evaluateItems } from '../eval/evaluate';
import { formatReport } from '../eval/format-report';
import { chooseColumns, parseLabelMap, toLabelledItems } from '../eval/labelled-file';
import { readPolicyThresholds, type PolicyThresholds } from '../eval/policy-thresholds';
import { readTable } from '../eval/read-table';
import { OwnModelScorer } from '../scoring/own-model/scorer';
import { packageRoot } from '../lib/package-root';
import { runEvalFromDecisions } from './eval-decisions';
import { CliError, EXIT } from './runtime';

function probability(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

/** models/policy.json when present, else the calibrated thresholds written by `vigie train`. */
export function defaultPolicyFile(): string | undefined {
  const root = packageRoot();
  return [path.join(root, 'models', 'policy.json'), path.join(root, 'models', 'policy.calibrated.json')].find((f) => existsSync(f));
}

/** `vigie eval <file>`: ROC-AUC, AP and precision/recall at the policy thresholds of the own model on a labelled file. */
export function evalCommand(): Command {
  return new Command('eval')
    .description(
      'evaluate the vigie-fr-en model on a labelled CSV/TSV/JSONL file, or (--from-decisions) the machine decisions against moderators\' ones',
    )
    .argument('[file]', 'labelled file (.csv, .tsv, .jsonl)')
    .option('--from-decisions', 'compare machine decisions with moderator decisions in the store and suggest thresholds')
    .option('--since <date>', 'with --from-decisions: moderator decisions from this ISO date or duration ago (7d)')
    .option('--write-policy <file>', 'with --from-decisions: write a new policy version with the suggested thresholds')
    .option('--text-column <name>', 'text column (default: text, comment_text, content, ... auto-detected)')
    .option('--label-map <spec>', 'label=column pairs, e.g. toxicity=toxic,insult=insult (default: Jigsaw-style names)')
    .option('--language-column <name>', 'language column (default: lang/language if present, else detected)')
    .option('--model <dir>', 'model folder (default: models/vigie-fr-en)')
    .option('--policy <file>', 'policy with thresholds (default: models/policy.json, else models/policy.calibrated.json)')
    .option('--target-precision <p>', 'precision the suggested thresholds must reach (default 0.8; 0.9 with --from-decisions)', probability)
    .option('--json', 'print the report as JSON')
    .action(async (file: string | undefined, opts: {
      fromDecisions?: boolean;
      since?: string;
      writePolicy?: string;
      textColumn?: string;
      labelMap?: string;
      languageColumn?: string;
      model?: string;
      policy?: string;
      targetPrecision?: number;
      json?: boolean;
    }) => {
      if (opts.fromDecisions) {
        await runEvalFromDecisions({
          since: opts.since,
          targetPrecision: opts.targetPrecision,
          json: opts.json,
          writePolicy: opts.writePolicy,
        });
        return;
      }
      if (!file) throw new CliError('vigie eval: give a labelled file, or --from-decisions', EXIT.usage);
      const rows = await readTable(file);
      const columns = chooseColumns(rows, {
        textColumn: opts.textColumn,
        labelMap: opts.labelMap ? parseLabelMap(opts.labelMap) : undefined,
        languageColumn: opts.languageColumn,
      });
      const items = toLabelledItems(rows, columns);
      const scorer = await OwnModelScorer.load(opts.model ? path.resolve(opts.model) : undefined);
      const scores = await scorer.score(items.map((i) => i.text));
      const policyFile = opts.policy ?? defaultPolicyFile();
      const policy: PolicyThresholds | undefined = policyFile ? await readPolicyThresholds(policyFile) : undefined;
      const report = evaluateItems(
        items.map((item, i) => ({ gold: item.gold, lang: item.lang, scores: scores[i] })),
        { policy, targetPrecision: opts.targetPrecision ?? 0.8 },
      );
      const meta = { file, model: `${scorer.name}@${scorer.version}`, policy: policyFile ?? null, columns };
      if (opts.json) process.stdout.write(JSON.stringify({ ...meta, report }, null, 2) + '\n');
      else process.stdout.write(`${file} — ${meta.model} — thresholds: ${policyFile ?? 'none'}\n\n${formatReport(report)}\n`);
    });
}
