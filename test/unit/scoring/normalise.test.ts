import { capText, normaliseText, repairUtf16, squeezeRepeats, tokenise } from '../../../src/scoring/normalise';

const keys = (text: string): string[] => tokenise(text).map((t) => t.key);

describe('tokenise', () => {
  it('folds case, accents and ligatures, keeping original offsets', () => {
    const text = 'Œuvre ÉCOLE';
    const tokens = tokenise(text);
    expect(tokens.map((t) => t.form)).toEqual(['oeuvre', 'ecole']);
    expect(text.slice(tokens[1].start, tokens[1].end)).toBe('ÉCOLE');
  });

  it('treats accented letters as part of the word', () => {
    expect(keys('conçu déconnecter')).toEqual(['concu', 'deconnecter']);
  });

  it('decodes leetspeak only inside words', () => {
    expect(keys('c0nn4rd 5h1t 2022')).toEqual(['connard', 'shit', '2022']);
  });

  it('does not read trailing exclamation marks as letters', () => {
    const [token] = tokenise('fuck!!!');
    expect(token.form).toBe('fuck');
    expect(token.end).toBe(4);
  });

  it('keeps a mention marker out of the word', () => {
    expect(keys('@Obélix')).toEqual(['obelix']);
  });

  it('canonicalises French clitics so elided and full forms meet', () => {
    expect(keys("j'vais t'tuer")).toEqual(keys('je vais te tuer'));
    expect(keys("t'es")).toEqual(keys('tu es'));
  });

  it('marks stretched words and their squeezed form', () => {
    const [token] = tokenise('connnnard');
    expect(token.elongated).toBe(true);
    expect(token.loose).toBe(squeezeRepeats('connard'));
    expect(tokenise('connard')[0].elongated).toBe(false);
  });

  it('classifies gaps between tokens', () => {
    expect(tokenise('cu.l c o con, x').map((t) => t.gapBefore)).toEqual(['start', 'tight', 'space', 'space', 'space', 'break']);
  });
});

describe('normaliseText', () => {
  it('maps every normalised character back to the original', () => {
    const { text, offsets } = normaliseText('Œé!');
    expect(text).toBe('oee!');
    expect(offsets).toEqual([0, 0, 1, 2, 3]);
  });
});

describe('repairUtf16 and capText', () => {
  it('replaces lone surrogates without changing length', () => {
    const broken = 'a\uD800b\uDC00c😀';
    expect(repairUtf16(broken)).toBe('a\uFFFDb\uFFFDc😀');
  });

  it('never cuts a surrogate pair in half', () => {
    expect(capText('ab😀', 3)).toBe('ab');
    expect(capText('abc', 10)).toBe('abc');
  });
});
