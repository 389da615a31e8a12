import { DEFAULT_FEATURIZER, extractFeatures } from '../../../../src/scoring/own-model/features';
import { normalizeTokens } from '../../../../src/scoring/own-model/normalize';

const tokens = (t: string): string[] => normalizeTokens(t, 1000);

describe('normalizeTokens', () => {
  it('folds case, accents, elision and hyphens', () => {
    expect(tokens("L'École, sous-Développé !")).toEqual(['l', 'ecole', 'sous', 'develope']);
  });

  it('undoes common obfuscation to the same form as the plain word', () => {
    const plain = tokens('connard');
    for (const variant of ['c0nnard', 'CONNNNARD', 'c.o.n.n.a.r.d', 'c o n n a r d', 'Cönnärd']) {
      expect(tokens(variant)).toEqual(plain);
    }
    expect(tokens('cu.l')).toEqual(['cul']);
    expect(tokens('a$$ h0le')).toEqual(['as', 'hole']);
  });

  it('replaces urls and mentions, keeps plain numbers', () => {
    expect(tokens('@Obélix voir https://exemple.fr/a?b=1 en 2022')).toEqual(['xuserx', 'voir', 'xurlx', 'en', '2022']);
  });
});

describe('extractFeatures', () => {
  it('returns distinct in-range ids, deterministically, never empty', () => {
    const cfg = { ...DEFAULT_FEATURIZER, buckets: 1000 };
    const a = extractFeatures('Retournez à l’école, bande de guignols.', cfg);
    expect(Array.from(a)).toEqual(Array.from(extractFeatures('Retournez à l’école, bande de guignols.', cfg)));
    expect(new Set(a).size).toBe(a.length);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1000);
    expect(extractFeatures('', cfg).length).toBe(1);
    expect(extractFeatures('!!!', cfg).length).toBe(1);
  });

  it('caps the number of features', () => {
    const long = 'mot '.repeat(10) + Array.from({ length: 2000 }, (_, i) => `w${i}x`).join(' ');
    expect(extractFeatures(long, { ...DEFAULT_FEATURIZER, maxFeatures: 50 }).length).toBe(50);
  });

  it('shares character n-grams between inflected forms', () => {
    const a = new Set(extractFeatures('débiles', DEFAULT_FEATURIZER));
    const b = extractFeatures('débile', DEFAULT_FEATURIZER);
    expect(Array.from(b).filter((id) => a.has(id)).length).toBeGreaterThanOrEqual(6);
  });
});
