import type { Language } from '../domain/decision';
import { tokenise, type Token } from '../scoring/normalise';

// Accent-folded, and only words that are rare in the other language ("a", "on", "me" are left out).
const FRENCH = new Set(
  (
    'le la les un une des du de et est sont pas ne je tu il elle nous vous ils elles ce cette ces ' +
    'que qui quoi dans pour avec sur mais ou donc car leur leurs mon ma mes ton ta tes son sa ses ' +
    'au aux se sa y lui meme tres aussi bien fait etre avoir ete plus moins rien tout tous toute ' +
    'quand comme alors deja encore jamais toujours cela ca c qu j l d n s t m sais vais va peut faut ' +
    'avez ont suis es sommes etes etait parce chez sans sous entre vers depuis ici voila oui non merci ' +
    'quel quelle quels quelles vraiment trop'
  ).split(' '),
);

const ENGLISH = new Set(
  (
    'the and is are was were be been being this that these those it its of to in for with on at by ' +
    'from you your he she they them their we our i my me not no do does did have has had will would ' +
    'should could can what which who whom why how when where there here just about like all any some ' +
    'than then so if or but because very more most only also into out up down over again get got ' +
    'people think know dont im youre thats its isnt doesnt'
  ).split(' '),
);

/** Spanish, Italian, German, Portuguese function words, so "con el" is not mistaken for French. */
const OTHER = new Set(
  (
    'el los las con una por para del y es muy pero esta este como che della sono non per gli der ' +
    'die das und ist nicht ein eine mit sie ich auch wir nao uma voce mais'
  ).split(' '),
);

const FRENCH_LETTERS = /[éèêàçùâîôûœëï]/g;
const MIN_EVIDENCE = 1;

function countNonLatinLetters(text: string): { latin: number; nonLatin: number } {
  let latin = 0;
  let nonLatin = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 0xc0 && code <= 0x24f)) latin++;
    else if (code > 0x24f && /\p{L}/u.test(char)) nonLatin++;
  }
  return { latin, nonLatin };
}

/**
 * French, English or other, from function words plus French diacritics. Deliberately small: it
 * only needs to choose thresholds and to gate ambiguous word-list entries.
 */
export function detectLanguageOfTokens(tokens: Token[], text: string): Language {
  let french = 0;
  let english = 0;
  let other = 0;
  for (const token of tokens) {
    if (FRENCH.has(token.form)) french++;
    if (ENGLISH.has(token.form)) english++;
    if (OTHER.has(token.form)) other++;
  }
  french += Math.min(3, (text.match(FRENCH_LETTERS) ?? []).length) * 0.5;
  const letters = countNonLatinLetters(text);
  if (letters.nonLatin > letters.latin) return 'other';
  if (other > french && other > english) return 'other';
  // A French–English tie is still one of the two languages the thresholds are tuned for.
  if (french >= MIN_EVIDENCE && french >= english) return 'fr';
  if (english >= MIN_EVIDENCE && english > french) return 'en';
  return 'other';
}

export function detectLanguage(text: string): Language {
  return detectLanguageOfTokens(tokenise(text), text);
}
