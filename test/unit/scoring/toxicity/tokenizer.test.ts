import { readFileSync } from 'node:fs';
import { Tokenizer as PackageTokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { parseVocabulary, UseTokenizer } from '../../../../src/scoring/toxicity/tokenizer';

const vocabulary = parseVocabulary(
  JSON.parse(readFileSync('/work/shared/models/tfjs-toxicity/vocab.json', 'utf8')),
);

describe('UseTokenizer with the published vocabulary', () => {
  const tokenizer = new UseTokenizer(vocabulary);

  it('tokenizes a sentence into known ids', () => {
    const ids = tokenizer.encode('Hello world, you are an idiot.');
    expect(ids).toEqual([341, 4125, 311, 8, 19, 31, 58, 4583, 6]);
    expect(ids.map((id) => vocabulary[id][0]).join('')).toBe('▁Hello▁world,▁you▁are▁an▁idiot.');
  });

  it('maps runs of unknown characters to a single id 0', () => {
    expect(tokenizer.encode('Ω')).toEqual([30, 0]);
    expect(tokenizer.encode('ΩΩΩ')).toEqual([30, 0]);
  });

  it.each([
    'I am a nice person',
    'see https://example.org :) or :(',
    'Ça va ? Les élèves ont été très polis.',
    'YOU ARE ALL STUPID!!!   idiots',
    "Don't you dare come back here, or you'll regret it.",
    '',
    'tab\tand\nnewline',
    'ﬁnancial Ⅻ (NFKC folds these)',
  ])('matches the package tokenizer on %j', (text) => {
    expect(tokenizer.encode(text)).toEqual(new PackageTokenizer(vocabulary as [string, number][]).encode(text));
  });

  it('keeps astral characters aligned where the package drifts', () => {
    const ids = tokenizer.encode('x 😀 y');
    expect(ids.map((id) => vocabulary[id][0])).toEqual(['▁x', '▁', '\ufffd', '▁y']);
  });
});

describe('parseVocabulary', () => {
  it('rejects malformed vocabularies', () => {
    expect(() => parseVocabulary({})).toThrow(/array/);
    expect(() => parseVocabulary([...vocabulary.slice(0, 7), ['x']])).toThrow(/entry 7/);
  });

  it('reads null scores as 0', () => {
    expect(vocabulary[57]).toEqual([':', 0]);
  });
});
