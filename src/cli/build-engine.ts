import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../lib/logger';
import { createScoringEngine, type ScoringEngine } from '../scoring/engine';
import { createScorers, parseScorerNames, ScorerUnavailableError } from '../scoring/registry';
import type { Scorer } from '../scoring/scorer';
import { loadPolicy } from '../triage/policy';
import { CliError, EXIT } from './runtime';

/**
 * The scorers named in SCORERS plus the policy, ready before any job is taken. The published
 * toxicity model is optional (its weights may not be obtainable): without it the worker runs on
 * the others and says so once.
 */
export async function buildTriageEngine(config: Config, logger: Logger, scorerList = config.SCORERS): Promise<ScoringEngine> {
  const started = Date.now();
  let names;
  try {
    names = parseScorerNames(scorerList);
  } catch (err) {
    throw new CliError(`SCORERS: ${(err as Error).message}`, EXIT.usage);
  }
  const options = {
    logger,
    dataDir: path.resolve(config.DATA_DIR),
    toxicityModelDir: config.TOXICITY_MODEL_DIR,
  };
  const scorers: Scorer[] = [];
  for (const name of names) {
    try {
      scorers.push(...(await createScorers([name], options)));
    } catch (err) {
      if (name === 'toxicity' && err instanceof ScorerUnavailableError && names.length > 1) {
        logger.warn({ reason: err.message }, 'published toxicity model unavailable; scoring without it');
        continue;
      }
      throw new CliError((err as Error).message, EXIT.unavailable);
    }
  }
  const policy = loadPolicy(config.POLICY_FILE);
  const engine = createScoringEngine({ scorers, policy, logger });
  logger.info(
    { scorers: scorers.map((s) => `${s.name}@${s.version}`), policy: policy.version, loadMs: Date.now() - started },
    'scoring engine ready',
  );
  return engine;
}
