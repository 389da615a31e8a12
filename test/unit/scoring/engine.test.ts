import type { LabelScores } from '../../../src/domain/labels';
import { createScoringEngine } from '../../../src/scoring/engine';
import { LexiconScorer } from '../../../src/scoring/lexicon';
import { createScorers } from '../../../src/scoring/registry';
import type { Scorer } from '../../../src/scoring/scorer';
import { loadPolicy } from '../../../src/triage/policy';

const policy = loadPolicy();

/** A model stand-in: scores insult by the presence of "nul" so sentence spans can be checked. */
function fakeModel(calls: string[][] = []): Scorer {
  return {
    name: 'vigie-fr-en',
    version: '3',
    labels: ['insult', 'toxicity'],
    async score(texts: string[]): Promise<LabelScores[]> {
      calls.push(texts);
      return texts.map((text) => ({ insult: /nul/.test(text) ? 0.8 : 0.05, toxicity: 0.1 }));
    },
  };
}

const failing: Scorer = {
  name: 'broken',
  version: '1',
  labels: ['insult'],
  score: async () => {
    throw new Error('model not loaded');
  },
};

describe('createScoringEngine', () => {
  it('names every scorer and its version in modelVersion', () => {
    const engine = createScoringEngine({ scorers: [new LexiconScorer(), fakeModel()], policy });
    expect(engine.modelVersion).toMatch(/^lexicon@[0-9a-f]{10}\+vigie-fr-en@3$/);
  });

  it('approves neutral French comments', async () => {
    const engine = createScoringEngine({ scorers: [new LexiconScorer()], policy });
    const results = await engine.scoreTexts([
      { text: 'Ce qui se passe au Mali est dramatique.' },
      { text: "Je ne sais pas si ces gens là ont de l'humour." },
    ]);
    expect(results.map((r) => r.decision)).toEqual(['approve', 'approve']);
    expect(results[0]).toMatchObject({ language: 'fr', policyVersion: policy.version, reasons: [], spans: [] });
  });

  it('flags the seed insults and threat with word spans in the original text', async () => {
    const engine = createScoringEngine({ scorers: [new LexiconScorer()], policy });
    const text = 'La terre du Mali boira le sang de vos terroristes. Bande de charlots.';
    const [result] = await engine.scoreTexts([{ id: 'c6', text }]);
    expect(result.id).toBe('c6');
    expect(result.decision).toBe('review');
    expect(result.spans.map((s) => `${s.label}:${text.slice(s.start, s.end)}`)).toEqual(['threat:boira le sang de', 'insult:Bande de charlots']);
    expect(result.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['lexicon_match', 'threshold_review']));
  });

  it('rejects a credible threat', async () => {
    const engine = createScoringEngine({ scorers: [new LexiconScorer()], policy });
    const [result] = await engine.scoreTexts([{ text: 'Je sais qui tu es. Je vais te tuer.' }]);
    expect(result.decision).toBe('reject');
    expect(result.reasons).toContainEqual(expect.objectContaining({ code: 'threshold_reject', label: 'threat' }));
  });

  it('sends texts and their sentences to a model in one call, and highlights the sentence that carries the flag', async () => {
    const calls: string[][] = [];
    const engine = createScoringEngine({ scorers: [fakeModel(calls)], policy });
    const text = 'Bonne analyse. Mais ton avis est nul.';
    const [result] = await engine.scoreTexts([{ text }, { text: 'Une phrase.' }]);
    expect(calls).toEqual([[text, 'Bonne analyse.', 'Mais ton avis est nul.', 'Une phrase.']]);
    expect(result.decision).toBe('review');
    expect(result.spans).toEqual([{ start: 15, end: text.length, label: 'insult', source: 'model' }]);
  });

  it('scores a mixed batch exactly as it scores each comment alone (own model and word lists)', async () => {
    const engine = createScoringEngine({ scorers: await createScorers(['own', 'lexicon']), policy });
    const benign = 'Le conseil municipal a voté le budget mardi. Les parents ont salué la rénovation du gymnase. ';
    const texts = [
      'Merci pour cet article.',
      `${benign.repeat(3)}Je vais te tuer, sale traître.`,
      'Bonne analyse. Mais ton avis est nul.',
      'Quel idiot ce ministre !\nEt son conseiller ? Pire encore…',
      '',
      '😀🔥😂',
      'You are a moron. Thanks for the report though.',
      'Merci pour cet article.',
      'M. Barrot a raison. « Vraiment ? » Oui.',
    ];
    const batch = await engine.scoreTexts(texts.map((text, i) => ({ id: String(i), text })));
    const alone = await Promise.all(texts.map(async (text, i) => (await engine.scoreTexts([{ id: String(i), text }]))[0]));
    expect(batch).toEqual(alone);
    // Not vacuous: sentence scores reached the output (model spans) for several comments.
    expect(batch.filter((r) => r.spans.some((span) => span.source === 'model')).length).toBeGreaterThan(1);
  });

  it('merges scorers by the maximum per label', async () => {
    const engine = createScoringEngine({ scorers: [new LexiconScorer(), fakeModel()], policy });
    const [result] = await engine.scoreTexts([{ text: 'Tu es nul, espèce de connard.' }]);
    expect(result.scores.insult).toBe(0.8);
    expect(result.scores.threat).toBe(0);
  });

  it('fails closed: a scorer that throws sends its items to review, never approve', async () => {
    const engine = createScoringEngine({ scorers: [new LexiconScorer(), failing], policy });
    const [result] = await engine.scoreTexts([{ text: 'Bonjour, très bon article.' }]);
    expect(result.decision).toBe('review');
    expect(result.reasons).toContainEqual({ code: 'scoring_failed', message: 'scorer broken failed: model not loaded' });
  });

  it('fails closed on a scorer returning the wrong number of results or NaN', async () => {
    const short: Scorer = { ...fakeModel(), score: async () => [] };
    const nan: Scorer = { ...fakeModel(), score: async (texts) => texts.map(() => ({ insult: Number.NaN })) };
    for (const scorer of [short, nan]) {
      const [result] = await createScoringEngine({ scorers: [scorer], policy }).scoreTexts([{ text: 'Bonjour.' }]);
      expect(result.decision).toBe('review');
      expect(result.reasons[0].code).toBe('scoring_failed');
    }
  });

  it('caps a 1 MB comment, scores the head and says so', async () => {
    const calls: string[][] = [];
    const engine = createScoringEngine({ scorers: [fakeModel(calls)], policy });
    const [result] = await engine.scoreTexts([{ text: 'Bonjour à tous. '.repeat(65536) }]);
    expect(calls[0][0].length).toBeLessThanOrEqual(policy.maxTextLength);
    expect(result.decision).toBe('review');
    expect(result.reasons).toContainEqual(expect.objectContaining({ code: 'text_truncated' }));
  });

  it.each([
    ['', 'empty_text'],
    ['😀🔥😂', 'no_words'],
    ['https://example.org/a?b=c', 'links_only'],
  ])('approves %j with a reason', async (text, code) => {
    const [result] = await createScoringEngine({ scorers: [new LexiconScorer()], policy }).scoreTexts([{ text }]);
    expect(result.decision).toBe('approve');
    expect(result.reasons.map((r) => r.code)).toContain(code);
  });

  it('survives lone surrogates and mixed scripts with offsets intact', async () => {
    const text = 'Привет \uD800 connard 你好';
    const [result] = await createScoringEngine({ scorers: [new LexiconScorer()], policy }).scoreTexts([{ text }]);
    expect(result.spans.map((s) => text.slice(s.start, s.end))).toEqual(['connard']);
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('returns nothing for an empty batch without calling scorers', async () => {
    const calls: string[][] = [];
    expect(await createScoringEngine({ scorers: [fakeModel(calls)], policy }).scoreTexts([])).toEqual([]);
    expect(calls).toEqual([]);
  });
});
