import { detectLanguage } from '../../../src/triage/language';

describe('detectLanguage', () => {
  it.each([
    ['Ce qui se passe au Mali est dramatique.', 'fr'],
    ["Je ne sais pas si ces gens là ont de l'humour.", 'fr'],
    ['Quel con !', 'fr'],
    ['I think the council made the right call on this.', 'en'],
    ['you are an idiot', 'en'],
    ['Con el tiempo todo es posible para los niños.', 'other'],
    ['Это очень плохая идея', 'other'],
    ['😀😀😀', 'other'],
    ['https://example.org/a', 'other'],
    ['', 'other'],
  ])('%j → %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it('follows the majority in mixed French and English', () => {
    expect(detectLanguage('Je pense que le gouvernement a tort dans cette affaire, this is not fine.')).toBe('fr');
    expect(detectLanguage('I really think that this is wrong, c’est la vie.')).toBe('en');
  });
});
