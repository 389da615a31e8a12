import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { evaluateItems } from '../eval/evaluate';
import { formatReport } from '../eval/format-report';
import { chooseColumns, parseLabelMap, toLabelledItems } from '../eval/labelled-file';
import { readPolicyThresholds, type PolicyThresholds } from '../eval/policy-thresholds';
import { readTable } from '../eval/read-table';
import { OwnModelScorer } from '../scoring/own-model/scorer';
import { findPackageRoot } from '../scoring/own-model/package-root';

function probability(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

/** models/policy.json when present, else the calibrated thresholds written by `vigie train`. */
export function defaultPolicyFile(): string | undefined {
  const root = findPackageRoot();
  return [path.join(root, 'models', 'policy.json'), path.join(root, 'models', 'policy.calibrated.json')].find((f) => existsSync(f));
}

/** `vigie eval <file>`: ROC-AUC, AP and precision/recall at the policy thresholds of the own model on a labelled file. */
export function evalCommand(): Command {
  return new Command('eval')
    .description('evaluate the vigie-fr-en model on a labelled CSV/TSV/JSONL file')
    .argument('<file>', 'labelled file (.csv, .tsv, .jsonl)')
    .option('--text-column <name>', 'text column (default: text, comment_text, content, ... auto-detected)')
    .option('--label-map <spec>', 'label=column pairs, e.g. toxicity=toxic,insult=insult (default: Jigsaw-style names)')
    .option('--language-column <name>', 'language column (default: lang/language if present, else detected)')
    .option('--model <dir>', 'model folder (default: models/vigie-fr-en)')
    .option('--policy <file>', 'policy with thresholds (default: models/policy.json, else models/policy.calibrated.json)')
    .option('--target-precision <p>', 'precision the suggested thresholds must reach', probability, 0.8)
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: {
      textColumn?: string;
      labelMap?: string;
      languageColumn?: string;
      model?: string;
      policy?: string;
      targetPrecision: number;
      json?: boolean;
    }) => {
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
        { policy, targetPrecision: opts.targetPrecision },
      );
      const meta = { file, model: `${scorer.name}@${scorer.version}`, policy: policyFile ?? null, columns };
      if (opts.json) process.stdout.write(JSON.stringify({ ...meta, report }, null, 2) + '\n');
      else process.stdout.write(`${file} — ${meta.model} — thresholds: ${policyFile ?? 'none'}\n\n${formatReport(report)}\n`);
    });
}
