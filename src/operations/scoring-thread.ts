/**
 * A scoring thread of a ScoringPool (scoring-pool.ts): loads its own scorers and answers batches.
 * Messages in: { id, items }. Out: ready, then { type: 'scored', id, results } or { type: 'failed', id, message }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createScoringEngine, type ScoreItem } from '../scoring/engine';
import { createScorers, ScorerUnavailableError } from '../scoring/registry';
import type { Scorer } from '../scoring/scorer';
import type { ScoringThreadSetup, ThreadMessage } from './scoring-pool';

async function startThread(port: NonNullable<typeof parentPort>, setup: ScoringThreadSetup): Promise<void> {
  const scorers: Scorer[] = [];
  for (const name of setup.scorerNames) {
    try {
      scorers.push(...(await createScorers([name], setup.scorerOptions)));
    } catch (err) {
      // The same leniency as the main thread's engine: the published model is optional beside others.
      if (name === 'toxicity' && err instanceof ScorerUnavailableError && setup.scorerNames.length > 1) continue;
      throw err;
    }
  }
  const engine = createScoringEngine({ scorers, policy: setup.policy });
  port.on('message', async ({ id, items }: { id: number; items: ScoreItem[] }) => {
    let reply: ThreadMessage;
    try {
      reply = { type: 'scored', id, results: await engine.scoreTexts(items) };
    } catch (err) {
      reply = { type: 'failed', id, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready', modelVersion: engine.modelVersion, policyVersion: engine.policyVersion } satisfies ThreadMessage);
}

if (parentPort) {
  const port = parentPort;
  startThread(port, workerData as ScoringThreadSetup).catch((err: unknown) => {
    port.postMessage({ type: 'failed-to-start', message: err instanceof Error ? err.message : String(err) } satisfies ThreadMessage);
  });
}
