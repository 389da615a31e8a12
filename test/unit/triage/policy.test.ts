import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPolicy, parsePolicy, resolveThresholds } from '../../../src/triage/policy';

const minimal = {
  version: 't1',
  maxTextLength: 100,
  thresholds: { default: { review: { insult: 0.5 }, reject: { threat: 0.9 } }, fr: { review: { insult: 0.6 } } },
};

describe('loadPolicy', () => {
  it('loads the shipped models/policy.json from the package root', () => {
    const policy = loadPolicy();
    expect(policy.version).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
    expect(policy.maxTextLength).toBe(10000);
    expect(policy.thresholds.default.review.toxicity).toBeDefined();
  });

  it('returns a frozen policy', () => {
    const policy = loadPolicy();
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.thresholds.default.review)).toBe(true);
  });

  it('rejects thresholds outside [0, 1] and unknown labels', () => {
    expect(() => parsePolicy({ ...minimal, thresholds: { default: { review: { insult: 1.5 } } } })).toThrow();
    expect(() => parsePolicy({ ...minimal, thresholds: { default: { review: { rudeness: 0.5 } } } })).toThrow();
  });

  it('names the file it could not read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigie-policy-'));
    writeFileSync(path.join(dir, 'bad.json'), '{');
    expect(() => loadPolicy(path.join(dir, 'bad.json'))).toThrow(/bad\.json/);
  });
});

describe('resolveThresholds', () => {
  it('lays the language override over the defaults label by label', () => {
    const policy = parsePolicy(minimal);
    expect(resolveThresholds(policy, 'fr')).toEqual({ review: { insult: 0.6 }, reject: { threat: 0.9 } });
    expect(resolveThresholds(policy, 'en')).toEqual({ review: { insult: 0.5 }, reject: { threat: 0.9 } });
  });
});
