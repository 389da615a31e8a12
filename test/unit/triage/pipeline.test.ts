import { compose, moreSevere, runTriage, type Phase } from '../../../src/triage/pipeline';
import { input, policy } from './fixtures';

describe('compose', () => {
  it('only ever escalates the decision and accumulates reasons', () => {
    const review: Phase = () => ({ decision: 'review', reasons: [{ code: 'a', message: 'a' }] });
    const approve: Phase = () => ({ decision: 'approve', reasons: [{ code: 'b', message: 'b' }] });
    const outcome = compose([review, approve])(input(), policy);
    expect(outcome.decision).toBe('review');
    expect(outcome.reasons.map((r) => r.code)).toEqual(['a', 'b']);
  });

  it('lets later phases see what earlier ones concluded', () => {
    const setLanguage: Phase = () => ({ language: 'en' });
    const seen: string[] = [];
    const record: Phase = (_input, _policy, outcome) => void seen.push(outcome.language);
    compose([setLanguage, record])(input({ language: undefined }), policy);
    expect(seen).toEqual(['en']);
  });

  it('orders decisions approve < review < reject', () => {
    expect(moreSevere('reject', 'review')).toBe('reject');
    expect(moreSevere('approve', 'review')).toBe('review');
  });
});

describe('runTriage', () => {
  it('approves a clean comment', () => {
    expect(runTriage(input({ scores: { insult: 0.1 } }), policy).decision).toBe('approve');
  });

  it('never approves a comment a scorer failed on, even with clean scores', () => {
    const outcome = runTriage(input({ scores: { insult: 0 }, failures: [{ scorer: 'own', message: 'x' }] }), policy);
    expect(outcome.decision).toBe('review');
  });
});
