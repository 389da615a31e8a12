import path from 'node:path';
import { Command, Option } from 'commander';
import { describeFilter, type RawFilterOptions } from '../operations/comment-filter';
import { exportComments, type ExportFormat } from '../operations/export-comments';
import { openOutputFile, writeChunk } from '../operations/output-file';
import { createProgressReporter } from '../operations/progress';
import { countFiltered } from '../store/rescore.repository';
import { CliError, EXIT } from './runtime';
import { addFilterOptions, EXIT_INTERRUPTED, openOperatorContext, resolveFilter, type OperatorDeps } from './rescore.command';

interface ExportOptions extends RawFilterOptions {
  format?: ExportFormat;
  out?: string;
}

export function exportCommand(deps: OperatorDeps = {}): Command {
  const command = new Command('export').description(
    'Export comments with their scores, decisions and moderator actions (audit log), for audits and legal requests. ' +
      'Streams: any size, flat memory. CSV cells that a spreadsheet would run as a formula are prefixed with an apostrophe.',
  );
  addFilterOptions(command)
    .addOption(new Option('--format <format>', 'csv or jsonl (default: from --out, else jsonl)').choices(['csv', 'jsonl']))
    .option('--out <file>', 'write here (written as <file>.partial, renamed when complete); default stdout')
    .action(async (options: ExportOptions) => {
      const ctx = openOperatorContext(deps);
      try {
        await resolveFilter(options);
        const format: ExportFormat = options.format ?? (options.out && path.extname(options.out).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
        const db = await ctx.openDb();
        const filter = await resolveFilter(options, db);
        const file = options.out ? await openOutputFile(options.out) : undefined;
        const progress = file ? createProgressReporter({ stream: ctx.stderr, label: 'export', total: await countFiltered(db, filter) }) : undefined;
        let summary;
        try {
          summary = await exportComments({
            db,
            filter,
            format,
            output: file?.stream ?? ctx.stdout,
            onProgress: (n) => progress?.update(n),
            signal: ctx.signal,
          });
        } catch (err) {
          await file?.abort();
          throw err;
        } finally {
          progress?.stop();
        }
        if (summary.interrupted) {
          await file?.abort();
          throw new CliError(`export interrupted after ${summary.exported} comments${file ? '; no file written' : ''}`, EXIT_INTERRUPTED);
        }
        await file?.commit();
        if (file) {
          await writeChunk(
            ctx.stderr,
            `exported ${summary.exported} comments to ${path.resolve(options.out as string)} (${format}; filter ${JSON.stringify(describeFilter(filter))})\n`,
          );
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EACCES') {
          throw new CliError(`cannot write ${options.out}: ${(err as Error).message}`, EXIT.failure);
        }
        throw err;
      } finally {
        await ctx.close();
      }
    });
  return command;
}
