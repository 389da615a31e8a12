import { applyThresholdsPhase } from '../../../../src/triage/phases/thresholds.phase';
import { detectLanguagePhase } from '../../../../src/triage/phases/detect-language.phase';
import { flagScoringFailuresPhase } from '../../../../src/triage/phases/scoring-failure.phase';
import { flagTruncationPhase } from '../../../../src/triage/phases/truncation.phase';
import { markLexiconMatchesPhase } from '../../../../src/triage/phases/lexicon.phase';
import { markModelSentencesPhase } from '../../../../src/triage/phases/model-spans.phase';
import { noteEmptyTextPhase } from '../../../../src/triage/phases/empty-text.phase';
import { input, policy, start } from '../fixtures';

describe('detectLanguagePhase', () => {
  it('detects when the engine did not', () => {
    expect(detectLanguagePhase(input({ text: 'you are wrong about this', language: undefined }), policy, start)).toEqual({ language: 'en' });
  });
});

describe('flagTruncationPhase', () => {
  it('sends a truncated comment to review and says so', () => {
    const result = flagTruncationPhase(input({ text: 'abc', originalLength: 1_000_000 }), policy, start);
    expect(result?.decision).toBe('review');
    expect(result?.reasons?.[0].code).toBe('text_truncated');
  });
  it('stays silent for a whole comment', () => {
    expect(flagTruncationPhase(input(), policy, start)).toBeUndefined();
  });
});

describe('flagScoringFailuresPhase', () => {
  it('fails closed: review with the scorer named', () => {
    const result = flagScoringFailuresPhase(input({ failures: [{ scorer: 'own', message: 'boom' }] }), policy, start);
    expect(result).toEqual({ decision: 'review', reasons: [{ code: 'scoring_failed', message: 'scorer own failed: boom' }] });
  });
});

describe('noteEmptyTextPhase', () => {
  it.each([
    ['   ', 'empty_text'],
    ['😀🔥', 'no_words'],
    ['https://example.org/x www.example.com', 'links_only'],
  ])('%j → %s without deciding', (text, code) => {
    const result = noteEmptyTextPhase(input({ text }), policy, start);
    expect(result?.reasons?.[0].code).toBe(code);
    expect(result?.decision).toBeUndefined();
  });
});

describe('markLexiconMatchesPhase', () => {
  it('turns matches into lexicon spans and reasons, leaving the decision to thresholds', () => {
    const match = { label: 'insult' as const, phrase: 'connard', severity: 2 as const, language: 'fr' as const, start: 4, end: 11 };
    const result = markLexiconMatchesPhase(input({ lexiconMatches: [match] }), policy, start);
    expect(result?.spans).toEqual([{ start: 4, end: 11, label: 'insult', source: 'lexicon' }]);
    expect(result?.reasons?.[0]).toMatchObject({ code: 'lexicon_match', label: 'insult' });
    expect(result?.decision).toBeUndefined();
  });
});

describe('applyThresholdsPhase', () => {
  it('reviews above the review threshold', () => {
    const result = applyThresholdsPhase(input({ scores: { insult: 0.6 } }), policy, start);
    expect(result?.decision).toBe('review');
    expect(result?.reasons?.[0]).toMatchObject({ code: 'threshold_review', label: 'insult', score: 0.6, threshold: 0.5 });
  });
  it('needs strictly above: a score equal to the threshold does not flag', () => {
    expect(applyThresholdsPhase(input({ scores: { insult: 0.5 } }), policy, start)).toBeUndefined();
  });
  it('rejects above the reject threshold', () => {
    expect(applyThresholdsPhase(input({ scores: { threat: 0.95 } }), policy, start)?.decision).toBe('reject');
  });
  it('asks more of a comment in another language', () => {
    expect(applyThresholdsPhase(input({ scores: { insult: 0.7 } }), policy, { ...start, language: 'other' })).toBeUndefined();
    expect(applyThresholdsPhase(input({ scores: { insult: 0.85 } }), policy, { ...start, language: 'other' })?.decision).toBe('review');
  });
});

describe('markModelSentencesPhase', () => {
  const sentenceScores = [
    { start: 0, end: 10, scores: { insult: 0.1 } },
    { start: 11, end: 30, scores: { insult: 0.8 } },
  ];
  it('highlights the sentences above the review threshold', () => {
    const result = markModelSentencesPhase(input({ scores: { insult: 0.7 }, sentenceScores }), policy, start);
    expect(result?.spans).toEqual([{ start: 11, end: 30, label: 'insult', source: 'model' }]);
  });
  it('falls back to the highest sentence when only the whole comment crossed', () => {
    const low = sentenceScores.map((s) => ({ ...s, scores: { insult: s.scores.insult / 2 } }));
    const result = markModelSentencesPhase(input({ scores: { insult: 0.7 }, sentenceScores: low }), policy, start);
    expect(result?.spans).toEqual([{ start: 11, end: 30, label: 'insult', source: 'model' }]);
  });
  it('highlights nothing when no label is flagged', () => {
    expect(markModelSentencesPhase(input({ scores: { insult: 0.2 }, sentenceScores: [] }), policy, start)).toBeUndefined();
  });
});
