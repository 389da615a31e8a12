import type { Label, LabelScores } from './labels';

export const DECISIONS = ['approve', 'review', 'reject'] as const;
export type Decision = (typeof DECISIONS)[number];

export type Language = 'fr' | 'en' | 'other';

/** A character range of the ORIGINAL comment text that drove a flag. */
export interface Span {
  start: number;
  end: number;
  label: Label;
  /** Where the span comes from: a word-list hit or a sentence the model scored high. */
  source: 'lexicon' | 'model';
}

/** Why a decision was taken, readable by a moderator and stable enough to filter on. */
export interface Reason {
  code: string;
  message: string;
  label?: Label;
  score?: number;
  threshold?: number;
}

export interface TriageResult {
  language: Language;
  decision: Decision;
  scores: LabelScores;
  reasons: Reason[];
  spans: Span[];
  /** e.g. "lexicon@1+vigie-fr-en@3" — every scorer that contributed, with its version. */
  modelVersion: string;
  policyVersion: string;
}
