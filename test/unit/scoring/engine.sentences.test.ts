import { splitSentences } from '../../../src/scoring/sentences';

const texts = (text: string): string[] => splitSentences(text).map((s) => s.text);

describe('splitSentences', () => {
  it('splits on French and English punctuation, keeping offsets', () => {
    const text = 'Il y a des gifles qui se perdent par ici. Je te jure ! Really?! Fine…';
    const sentences = splitSentences(text);
    expect(sentences.map((s) => s.text)).toEqual(['Il y a des gifles qui se perdent par ici.', 'Je te jure !', 'Really?!', 'Fine…']);
    for (const s of sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('does not split on titles, initials or dotted abbreviations', () => {
    expect(texts('M. Barrot et J. Dupont parlent de l’A.E.S aujourd’hui. Fin.')).toEqual(['M. Barrot et J. Dupont parlent de l’A.E.S aujourd’hui.', 'Fin.']);
  });

  it('splits on line breaks and keeps closing quotes with their sentence', () => {
    expect(texts('« C’est de l’humour, j’espère ? » Oui.\nNon')).toEqual(['« C’est de l’humour, j’espère ? »', 'Oui.', 'Non']);
  });

  it('returns nothing for blank text', () => {
    expect(splitSentences('  \n ')).toEqual([]);
  });
});
