import type { TriageInput, TriageOutcome } from '../../../src/triage/pipeline';
import { parsePolicy } from '../../../src/triage/policy';

export const policy = parsePolicy({
  version: 'test.1',
  maxTextLength: 50,
  thresholds: {
    default: { review: { insult: 0.5, threat: 0.5 }, reject: { threat: 0.9 } },
    other: { review: { insult: 0.8 } },
  },
});

export function input(overrides: Partial<TriageInput> = {}): TriageInput {
  const text = overrides.text ?? 'Bonjour à tous.';
  return { text, originalLength: text.length, language: 'fr', scores: {}, sentenceScores: [], lexiconMatches: [], failures: [], ...overrides };
}

export const start: TriageOutcome = { language: 'fr', decision: 'approve', reasons: [], spans: [] };
