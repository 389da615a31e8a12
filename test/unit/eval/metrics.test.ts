import {
  averagePrecision,
  precisionRecallAt,
  rocAuc,
  thresholdForPrecision,
  thresholdForRecall,
} from '../../../src/eval/metrics';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // Pairs (pos, neg): (0.5,0.5)=½, (0.5,0.1)=1, (0.9,0.5)=1, (0.9,0.1)=1 → 3.5/4.
    expect(rocAuc([0.1, 0.5, 0.5, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
  });

  it('is ½ when every score is tied', () => {
    expect(rocAuc([0.3, 0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0, 0])).toBeCloseTo(0.5, 12);
  });

  it('matches a hand count on a mixed example', () => {
    // pos: 0.8, 0.4, 0.35 ; neg: 0.7, 0.4, 0.1
    // 0.8 beats 3 → 3 ; 0.4 beats 0.1, ties 0.4 → 1.5 ; 0.35 beats 0.1 → 1 ; total 5.5/9.
    expect(rocAuc([0.8, 0.7, 0.4, 0.4, 0.35, 0.1], [1, 0, 1, 0, 1, 0])).toBeCloseTo(5.5 / 9, 12);
  });

  it('is NaN with a single class', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
  });
});

describe('averagePrecision', () => {
  it('sums precision at each recall step', () => {
    // Ranked: 0.9 P, 0.8 N, 0.7 P, 0.1 N → 1·½ + ⅔·½ = 0.8333…
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(1 / 2 + 2 / 3 / 2, 12);
  });

  it('lets tied scores enter together', () => {
    // Tie at 0.5 holding one positive and one negative: first step recall ½ at precision 1,
    // then the tie: recall 1 at precision 2/3 → ½ + ⅔·½.
    expect(averagePrecision([0.9, 0.5, 0.5], [1, 1, 0])).toBeCloseTo(0.5 + (2 / 3) * 0.5, 12);
  });

  it('is 1 for a perfect ranking', () => {
    expect(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
  });
});

describe('thresholds', () => {
  const scores = [0.95, 0.9, 0.8, 0.6, 0.5, 0.3, 0.2, 0.1];
  const labels = [1, 1, 0, 1, 1, 0, 1, 0];

  it('precision and recall at a threshold (score ≥ threshold is flagged)', () => {
    const at = precisionRecallAt(scores, labels, 0.6);
    expect(at).toEqual({ threshold: 0.6, precision: 3 / 4, recall: 3 / 5, flagged: 4 });
    expect(precisionRecallAt(scores, labels, 0.99).precision).toBeNaN();
  });

  it('finds the lowest threshold reaching a precision', () => {
    // Cumulative precision: 1, 1, ⅔, ¾, ⅘, ⅔, 5/7, 5/8 → the lowest with ≥ 0.8 is 0.5.
    expect(thresholdForPrecision(scores, labels, 0.8)).toEqual({ threshold: 0.5, precision: 0.8, recall: 0.8, flagged: 5 });
    expect(thresholdForPrecision(scores, labels, 0.8, 6)).toBeUndefined();
  });

  it('finds the highest threshold reaching a recall', () => {
    expect(thresholdForRecall(scores, labels, 0.6)?.threshold).toBe(0.6);
    expect(thresholdForRecall(scores, labels, 1)?.threshold).toBe(0.2);
  });
});
