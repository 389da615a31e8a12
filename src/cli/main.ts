#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError } from '../config';
import { CliError, EXIT } from './runtime';
import { serveCommand } from './serve.command';
import { workerCommand } from './worker.command';
import { ingestCommand } from './ingest.command';
import { extractCommand } from './extract.command';
import { scoreCommand } from './score.command';
import { usersCommand } from './users.command';
import { rescoreCommand } from './rescore.command';
import { exportCommand } from './export.command';
import { statusCommand } from './status.command';
import { evalCommand } from './eval.command';
import { trainCommand } from './train.command';

export function buildProgram(): Command {
  const program = new Command('vigie')
    .description('Self-hosted comment moderation and toxicity triage (French and English)')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(serveCommand());
  program.addCommand(workerCommand());
  program.addCommand(ingestCommand());
  program.addCommand(extractCommand());
  program.addCommand(scoreCommand());
  program.addCommand(usersCommand());
  program.addCommand(rescoreCommand());
  program.addCommand(exportCommand());
  program.addCommand(statusCommand());
  program.addCommand(evalCommand());
  program.addCommand(trainCommand());
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

function reportError(err: unknown): number {
  const commanderCode = (err as { code?: string }).code;
  if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
    const exitCode = (err as { exitCode?: number }).exitCode ?? EXIT.usage;
    return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' ? EXIT.ok : exitCode === 0 ? 0 : EXIT.usage;
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`vigie: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof CliError) {
    process.stderr.write(`vigie: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`vigie: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.failure;
}

if (require.main === module) void main();
