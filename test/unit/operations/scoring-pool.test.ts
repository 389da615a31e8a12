import path from 'node:path';
import { packageRoot } from '../../../src/lib/package-root';
import type * as PoolModule from '../../../src/operations/scoring-pool';
import { openScoringPool as openFromSources } from '../../../src/operations/scoring-pool';
import { createScoringEngine } from '../../../src/scoring/engine';
import { createScorers } from '../../../src/scoring/registry';
import { loadPolicy } from '../../../src/triage/policy';

// Threads run compiled JavaScript: the pool under test is the one `npm test` builds into dist/.
const { openScoringPool } = require(path.join(packageRoot(), 'dist', 'src', 'operations', 'scoring-pool.js')) as typeof PoolModule;

const policy = loadPolicy();
const benign = 'Le conseil municipal a voté le budget mardi. Les parents ont salué la rénovation du gymnase. ';
const TEXTS = [
  'Merci pour cet article.',
  `${benign.repeat(3)}Je vais te tuer, sale traître.`,
  'Bonne analyse. Mais ton avis est nul.',
  'Quel idiot ce ministre !\nEt son conseiller ? Pire encore…',
  '',
  '😀🔥😂',
  'You are a moron. Thanks for the report though.',
  'M. Barrot a raison. « Vraiment ? » Oui.',
  'Bande de charlots.',
];

describe('scoring pool', () => {
  it('scores on threads exactly as the engine does on the main thread, in input order', async () => {
    const engine = createScoringEngine({ scorers: await createScorers(['own', 'lexicon']), policy });
    const pool = await openScoringPool({ threads: 2, scorerNames: ['own', 'lexicon'], policy, scorerOptions: {} });
    try {
      expect(pool).toMatchObject({ threads: 2, modelVersion: engine.modelVersion, policyVersion: policy.version });
      const items = TEXTS.map((text, i) => ({ id: `c${i}`, text }));
      const expected = await engine.scoreTexts(items);
      expect(await pool!.scoreTexts(items)).toEqual(expected);
      expect(await pool!.scoreTexts(items.slice(0, 1))).toEqual(expected.slice(0, 1));
      expect(await pool!.scoreTexts([])).toEqual([]);
    } finally {
      await pool?.close();
    }
  });

  it('fails to open, naming the scorer, when a thread cannot load its models', async () => {
    await expect(
      openScoringPool({ threads: 2, scorerNames: ['lexicon', 'own'], policy, scorerOptions: { ownModelDir: '/nonexistent/model' } }),
    ).rejects.toThrow(/scorer "own" is not available/);
  });

  it('is not opened for 0 threads, nor from TypeScript sources (no compiled thread entry)', async () => {
    expect(await openScoringPool({ threads: 0, scorerNames: ['lexicon'], policy, scorerOptions: {} })).toBeUndefined();
    expect(await openFromSources({ threads: 2, scorerNames: ['lexicon'], policy, scorerOptions: {} })).toBeUndefined();
  });
});
