import type { Language, TriageResult } from '../domain/decision';
import { LABELS, type LabelScores } from '../domain/labels';
import { silentLogger, type Logger } from '../lib/logger';
import { detectLanguageOfTokens } from '../triage/language';
import { runTriage, type ScoringFailure, type SentenceScores } from '../triage/pipeline';
import type { Policy } from '../triage/policy';
import { LexiconScorer, scoreLexiconMatches } from './lexicon/lexicon.scorer';
import type { LexiconMatch } from './lexicon/match';
import { capText, repairUtf16, tokenise, type Token } from './normalise';
import type { Scorer } from './scorer';
import { splitSentences, type Sentence } from './sentences';

export interface ScoreItem {
  id?: string;
  text: string;
}

export type ScoredItem = TriageResult & { id?: string };

export interface ScoringEngine {
  /** e.g. "lexicon@3f2a…+vigie-fr-en@3": every scorer, in order, with its version */
  readonly modelVersion: string;
  readonly policyVersion: string;
  scoreTexts(items: readonly ScoreItem[]): Promise<ScoredItem[]>;
}

export interface ScoringEngineOptions {
  scorers: readonly Scorer[];
  policy: Policy;
  logger?: Logger;
}

interface PreparedItem {
  id?: string;
  text: string;
  originalLength: number;
  language: Language;
  tokens: Token[];
  sentences: Sentence[];
}

/** What one scorer said about one batch: per item, whole-text scores and sentence scores, or a failure. */
interface ScorerOutcome {
  scorer: Scorer;
  texts: (LabelScores | undefined)[];
  sentences: (LabelScores | undefined)[][];
  matches?: LexiconMatch[][];
  failures: (string | undefined)[];
}

function prepareItem(item: ScoreItem, maxTextLength: number): PreparedItem {
  const raw = typeof item.text === 'string' ? item.text : String(item.text ?? '');
  const text = repairUtf16(capText(raw, maxTextLength));
  const tokens = tokenise(text);
  return { id: item.id, text, originalLength: raw.length, language: detectLanguageOfTokens(tokens, text), tokens, sentences: splitSentences(text) };
}

function isValidScores(scores: unknown): scores is LabelScores {
  if (!scores || typeof scores !== 'object') return false;
  return Object.entries(scores).every(
    ([label, value]) => !(LABELS as readonly string[]).includes(label) || (typeof value === 'number' && value >= 0 && value <= 1),
  );
}

/** Sentences are scored only when there are several; a one-sentence comment reuses its whole-text score. */
function sentencesToScore(item: PreparedItem): Sentence[] {
  return item.sentences.length > 1 ? item.sentences : [];
}

async function runModelScorer(scorer: Scorer, items: PreparedItem[]): Promise<ScorerOutcome> {
  // Each text followed by its sentences: they share most features, so the own model finds
  // their embedding rows still in the CPU cache.
  const inputs: string[] = [];
  for (const item of items) {
    inputs.push(item.text);
    for (const sentence of sentencesToScore(item)) inputs.push(sentence.text);
  }
  const outcome: ScorerOutcome = { scorer, texts: [], sentences: [], failures: [] };
  let results: LabelScores[];
  try {
    results = await scorer.score(inputs);
    if (!Array.isArray(results) || results.length !== inputs.length) {
      throw new Error(`returned ${Array.isArray(results) ? results.length : typeof results} results for ${inputs.length} texts`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    for (let i = 0; i < items.length; i++) outcome.failures.push(message);
    return outcome;
  }
  let next = 0;
  items.forEach((item) => {
    const whole = results[next++];
    const sentences = sentencesToScore(item).map(() => results[next++]);
    const valid = isValidScores(whole) && sentences.every(isValidScores);
    outcome.texts.push(valid ? whole : undefined);
    outcome.sentences.push(valid ? (sentences.length > 0 ? sentences : item.sentences.map(() => whole)) : []);
    outcome.failures.push(valid ? undefined : 'returned scores outside [0, 1]');
  });
  return outcome;
}

/** Word lists give spans as well as scores, so the engine asks for matches directly. */
async function runLexiconScorer(scorer: LexiconScorer, items: PreparedItem[]): Promise<ScorerOutcome> {
  const outcome: ScorerOutcome = { scorer, texts: [], sentences: [], matches: [], failures: [] };
  for (const item of items) {
    try {
      const matches = scorer.matchTokens(item.text, item.tokens, item.language);
      outcome.matches!.push(matches);
      outcome.texts.push(scoreLexiconMatches(matches));
      outcome.failures.push(undefined);
    } catch (error) {
      outcome.matches!.push([]);
      outcome.texts.push(undefined);
      outcome.failures.push(error instanceof Error ? error.message : String(error));
    }
    outcome.sentences.push([]);
  }
  return outcome;
}

function mergeMax(target: LabelScores, scores: LabelScores): void {
  for (const label of LABELS) {
    const value = scores[label];
    if (value !== undefined && value > (target[label] ?? -1)) target[label] = value;
  }
}

function triageItem(item: PreparedItem, index: number, outcomes: ScorerOutcome[], options: ScoringEngineOptions, modelVersion: string): ScoredItem {
  const scores: LabelScores = {};
  const failures: ScoringFailure[] = [];
  const lexiconMatches: LexiconMatch[] = [];
  const sentenceScores: SentenceScores[] = [];
  for (const outcome of outcomes) {
    const failure = outcome.failures[index];
    if (failure !== undefined) {
      failures.push({ scorer: outcome.scorer.name, message: failure });
      continue;
    }
    mergeMax(scores, outcome.texts[index] ?? {});
    lexiconMatches.push(...(outcome.matches?.[index] ?? []));
    outcome.sentences[index].forEach((sentenceScore, s) => {
      if (!sentenceScore) return;
      const sentence = item.sentences[s];
      let merged = sentenceScores.find((entry) => entry.start === sentence.start);
      if (!merged) sentenceScores.push((merged = { start: sentence.start, end: sentence.end, scores: {} }));
      mergeMax(merged.scores, sentenceScore);
    });
  }
  const outcome = runTriage(
    { text: item.text, originalLength: item.originalLength, language: item.language, scores, sentenceScores, lexiconMatches, failures },
    options.policy,
  );
  const result: ScoredItem = {
    language: outcome.language,
    decision: outcome.decision,
    scores,
    reasons: outcome.reasons,
    spans: [...outcome.spans].sort((a, b) => a.start - b.start || a.end - b.end),
    modelVersion,
    policyVersion: options.policy.version,
  };
  if (item.id !== undefined) result.id = item.id;
  return result;
}

/**
 * Scores batches with every scorer (one call per scorer per batch: each text, then its
 * sentences), merges scores by taking the maximum per label across scorers — any one scorer can
 * raise a flag, none can hide another's — and runs the pure triage pipeline on the result.
 */
export function createScoringEngine(options: ScoringEngineOptions): ScoringEngine {
  if (options.scorers.length === 0) throw new Error('createScoringEngine needs at least one scorer');
  const logger = options.logger ?? silentLogger();
  const modelVersion = options.scorers.map((scorer) => `${scorer.name}@${scorer.version}`).join('+');

  async function scoreTexts(items: readonly ScoreItem[]): Promise<ScoredItem[]> {
    if (items.length === 0) return [];
    const prepared = items.map((item) => prepareItem(item, options.policy.maxTextLength));
    const outcomes = await Promise.all(
      options.scorers.map((scorer) =>
        scorer instanceof LexiconScorer ? runLexiconScorer(scorer, prepared) : runModelScorer(scorer, prepared),
      ),
    );
    for (const outcome of outcomes) {
      const failed = outcome.failures.filter((failure) => failure !== undefined).length;
      if (failed > 0) logger.warn({ scorer: outcome.scorer.name, failed, batch: items.length, reason: outcome.failures.find(Boolean) }, 'scorer failed; items sent to review');
    }
    return prepared.map((item, index) => triageItem(item, index, outcomes, options, modelVersion));
  }

  return { modelVersion, policyVersion: options.policy.version, scoreTexts };
}
