import { calibrateThresholds, DEFAULT_CALIBRATION } from '../../../src/training/calibrate';

describe('calibrateThresholds', () => {
  it('puts review at the target recall and reject at the target precision, per language', () => {
    // 20 positives scored 0.55..0.99, 20 negatives 0.01..0.6: well separated above 0.6.
    const items = [
      ...Array.from({ length: 20 }, (_, i) => ({ gold: { toxicity: 1 }, scores: { toxicity: 0.55 + i * 0.0232 }, lang: 'fr' })),
      ...Array.from({ length: 20 }, (_, i) => ({ gold: { toxicity: 0 }, scores: { toxicity: 0.01 + i * 0.031 }, lang: 'fr' })),
    ];
    const { policy, details } = calibrateThresholds(items, { ...DEFAULT_CALIBRATION, version: 't' });
    const fr = policy.thresholds.fr;
    expect(fr.review?.toxicity).toBeDefined();
    expect(fr.reject?.toxicity).toBeGreaterThanOrEqual(fr.review?.toxicity as number);
    // Recall 0.8 = 16 of 20 positives: the 16th highest positive scores 0.55 + 4·0.0232 = 0.6428;
    // the policy flags score > threshold, so the threshold is rounded down to 0.642.
    expect(fr.review?.toxicity).toBe(0.642);
    // Labels without development data fall back, and "en" without items inherits the default.
    expect(details.default.threat?.basis).toBe('fallback');
    expect(policy.thresholds.en.review).toEqual({});
    expect(policy.thresholds.other).toEqual(policy.thresholds.default);
    expect(policy.maxTextLength).toBe(10000);
  });
});
