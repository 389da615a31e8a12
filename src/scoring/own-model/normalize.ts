/**
 * Text normalisation shared by training and inference, so that features survive common
 * obfuscation (leetspeak, accents, stretched letters, inserted dots or spaces) and French
 * morphology (elision, hyphenated compounds).
 */

const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
  '€': 'e',
};

const URL_RE = /(?:https?:\/\/|www\.)\S+/g;
const MENTION_RE = /(^|[^a-z0-9])@[a-z0-9_]+/g;
// A leet character counts as a letter only when it touches a letter: "c0nnard", "b1te", "@ss".
const LEET_RE = /[0134578@$€](?=[a-z])|(?<=[a-z])[0134578@$€]/g;
// Punctuation inside a word is masking ("cu.l", "p*te", "c_o_n"), not a word boundary.
const INNER_MASK_RE = /(?<=[a-z])[.*_+#~](?=[a-z])/g;
const SEPARATOR_RE = /[^a-z0-9]+/;
const REPEAT_RE = /([a-z])\1+/g;

/** Lowercase, fold accents and leetspeak, unmask, squeeze repeated letters; returns tokens. */
export function normalizeTokens(text: string, maxChars: number): string[] {
  let s = text.length > maxChars ? text.slice(0, maxChars) : text;
  s = s.toLowerCase().replace(/œ/g, 'oe').replace(/æ/g, 'ae').replace(/ß/g, 'ss');
  s = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  s = s.replace(URL_RE, ' xurlx ').replace(MENTION_RE, '$1 xuserx ');
  s = s.replace(INNER_MASK_RE, '');
  s = s.replace(LEET_RE, (c) => LEET[c] ?? c);
  // Runs repeat: squeeze again after leet folding ("c00nnard" → "conard").
  s = s.replace(REPEAT_RE, '$1');
  const raw = s.split(SEPARATOR_RE);
  return joinSpelledOut(raw.filter((t) => t.length > 0));
}

/** "c o n n a r d" → "conard": four or more single letters in a row are one spelled-out word. */
function joinSpelledOut(tokens: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    let j = i;
    while (j < tokens.length && tokens[j].length === 1 && tokens[j] >= 'a' && tokens[j] <= 'z') j++;
    if (j - i >= 4) {
      out.push(tokens.slice(i, j).join('').replace(REPEAT_RE, '$1'));
      i = j;
    } else {
      out.push(tokens[i]);
      i++;
    }
  }
  return out;
}

/** True when most letters are capitals (shouting), a weak toxicity cue lost by lowercasing. */
export function isShouting(text: string): boolean {
  let upper = 0;
  let letters = 0;
  const end = Math.min(text.length, 2000);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      upper++;
      letters++;
    } else if (c >= 97 && c <= 122) letters++;
  }
  return letters >= 12 && upper / letters > 0.6;
}
