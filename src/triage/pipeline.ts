import type { Decision, Language, Reason, Span } from '../domain/decision';
import type { LabelScores } from '../domain/labels';
import type { LexiconMatch } from '../scoring/lexicon/match';
import type { Policy } from './policy';

export interface SentenceScores {
  start: number;
  end: number;
  scores: LabelScores;
}

export interface ScoringFailure {
  scorer: string;
  message: string;
}

/** Everything known about one comment once scoring is done; the phases never call a model. */
export interface TriageInput {
  /** the text that was scored (possibly truncated); offsets below refer to it and to the original */
  text: string;
  originalLength: number;
  language?: Language;
  /** merged across scorers (max per label) */
  scores: LabelScores;
  /** per-sentence scores from model scorers, for highlighting the sentences that carry a flag */
  sentenceScores: SentenceScores[];
  lexiconMatches: LexiconMatch[];
  failures: ScoringFailure[];
}

export interface TriageOutcome {
  language: Language;
  decision: Decision;
  reasons: Reason[];
  spans: Span[];
}

export type PhaseResult = Partial<TriageOutcome> | undefined;

/** One rule: reads the input, the policy and what earlier phases concluded; returns what it adds. */
export type Phase = (input: TriageInput, policy: Policy, outcome: Readonly<TriageOutcome>) => PhaseResult;

const DECISION_RANK: Record<Decision, number> = { approve: 0, review: 1, reject: 2 };

export function moreSevere(a: Decision, b: Decision): Decision {
  return DECISION_RANK[b] > DECISION_RANK[a] ? b : a;
}

function mergeOutcome(outcome: TriageOutcome, result: PhaseResult): TriageOutcome {
  if (!result) return outcome;
  return {
    language: result.language ?? outcome.language,
    decision: result.decision ? moreSevere(outcome.decision, result.decision) : outcome.decision,
    reasons: result.reasons ? [...outcome.reasons, ...result.reasons] : outcome.reasons,
    spans: result.spans ? [...outcome.spans, ...result.spans] : outcome.spans,
  };
}

/**
 * Runs phases in order, Coral-style. Decisions only escalate (approve < review < reject), so no
 * later phase can approve what an earlier one sent to review; reasons and spans accumulate.
 */
export function compose(phases: readonly Phase[]): (input: TriageInput, policy: Policy) => TriageOutcome {
  return (input, policy) =>
    phases.reduce<TriageOutcome>((outcome, phase) => mergeOutcome(outcome, phase(input, policy, outcome)), {
      language: input.language ?? 'other',
      decision: 'approve',
      reasons: [],
      spans: [],
    });
}
import { TRIAGE_PHASES } from './phases';

/** The full triage: language, truncation, failures, word lists, thresholds, sentence spans. */
export const runTriage = compose(TRIAGE_PHASES);
