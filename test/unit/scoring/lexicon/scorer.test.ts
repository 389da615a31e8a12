import { LexiconScorer, scoreLexiconMatches } from '../../../../src/scoring/lexicon';

describe('LexiconScorer', () => {
  const scorer = new LexiconScorer();

  it('is named lexicon with a content version', () => {
    expect(scorer.name).toBe('lexicon');
    expect(scorer.version).toMatch(/^[0-9a-f]{10}$/);
  });

  it('scores a batch in input order, by severity', async () => {
    const [threat, insult, mild, clean] = await scorer.score(['je vais te tuer', 'espèce de connard', 'merde alors', 'Bonjour à tous']);
    expect(threat.threat).toBeGreaterThan(0.9);
    expect(insult.insult).toBeGreaterThan(0.5);
    expect(insult.insult).toBeLessThan(0.9);
    expect(mild.obscene).toBeLessThan(0.5);
    expect(clean).toEqual({ toxicity: 0, severe_toxicity: 0, insult: 0, threat: 0, obscene: 0, sexual_explicit: 0, identity_attack: 0 });
  });

  it('reports only the labels it covers', () => {
    expect(Object.keys(scoreLexiconMatches([])).sort()).toEqual([...scorer.labels].sort());
  });

  it('keeps the strongest match per label rather than summing', () => {
    const scores = scoreLexiconMatches([
      { label: 'obscene', phrase: 'merde', severity: 1, language: 'fr', start: 0, end: 5 },
      { label: 'obscene', phrase: 'merde', severity: 1, language: 'fr', start: 6, end: 11 },
    ]);
    expect(scores.obscene).toBe(0.35);
  });
});
