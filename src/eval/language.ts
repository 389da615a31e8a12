/** Very small stop-word language guess, enough to split an evaluation file by fr / en. */
const FR = new Set(
  'le la les un une des du de et est pas que qui ce cette ces il elle ils elles nous vous je tu on sur dans pour avec mais ou sont au aux son sa ses leur plus ne se en y c est fait très comme tout'.split(' '),
);
const EN = new Set(
  'the a an and is are was were not that which who this these it he she they we you i on in for with but or of to be have has do does at by from as all so if my your their what'.split(' '),
);

export type DetectedLanguage = 'fr' | 'en' | 'other';

export function detectLanguage(text: string): DetectedLanguage {
  let fr = 0;
  let en = 0;
  for (const raw of text.toLowerCase().split(/[^a-zàâçéèêëîïôûùüÿœ']+/)) {
    const word = raw.replace(/^[a-z]'/, '');
    if (FR.has(word)) fr++;
    if (EN.has(word)) en++;
  }
  // Accented letters are a strong French cue in short texts.
  if (/[àâçéèêëîïôûùœ]/.test(text)) fr += 1;
  if (fr === 0 && en === 0) return 'other';
  return fr >= en ? 'fr' : 'en';
}
