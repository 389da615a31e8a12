/**
 * Obfuscation-resistant normalisation for word-list matching.
 *
 * Every token keeps the character range it came from in the ORIGINAL text, so a match can be
 * highlighted where the reader wrote it, whatever folding happened in between.
 */

/** How two neighbouring tokens are separated; decides whether they may be glued back together. */
export type Gap =
  | 'start'
  /** only joiner punctuation, no space: "cu.l", "c-o-n", "sh_it" */
  | 'tight'
  /** only a few spaces: "c o n n a r d", "con neries" */
  | 'space'
  /** an apostrophe (elision): "t'es", "j'vais" */
  | 'elision'
  /** anything else: commas, sentence ends, line breaks, emoji */
  | 'break';

export interface Token {
  /** folded + leetspeak-decoded form, before clitic canonicalisation */
  form: string;
  /** lookup key: `form` with French clitics canonicalised (je/j' → j, te/tu/t' → t, …) */
  key: string;
  /** `key` with every run of a repeated letter squeezed to one letter ("connnard" → "conard") */
  loose: string;
  /** the token repeats a letter 3+ times in a row, a deliberate stretch ("connnnard") */
  elongated: boolean;
  gapBefore: Gap;
  /** range in the original text */
  start: number;
  end: number;
}

export interface NormalisedText {
  /** lower-cased, accent-folded text (leetspeak untouched: digits stay digits here) */
  text: string;
  /** offsets[i] = index in the original text of normalised character i; offsets[text.length] = original length */
  offsets: number[];
}

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '€': 'e',
  '!': 'i',
  '|': 'i',
  '+': 't',
  '*': '*',
};

/** French clitics in full and elided form meet: "j'vais t'tuer" reads like "je vais te tuer". */
const CLITICS = new Map<string, string>(
  Object.entries({
    je: 'j',
    j: 'j',
    te: 't',
    tu: 't',
    t: 't',
    me: 'm',
    m: 'm',
    se: 's',
    s: 's',
    le: 'l',
    la: 'l',
    l: 'l',
    de: 'd',
    d: 'd',
    ne: 'n',
    n: 'n',
    que: 'qu',
    qu: 'qu',
    ke: 'qu',
    k: 'qu',
}),
);

const LEET_CHARS = new Set(Object.keys(LEET));
const APOSTROPHES = new Set(["'", '’', 'ʼ', '`', '´', '‘']);
const JOINERS = new Set(['.', '-', '_', '·', '•', '‐', '‑', '–', '/', '~']);
const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', đ: 'd', ł: 'l', ı: 'i' };

const foldCache = new Map<number, string>();
const LETTER = /\p{L}/u;

/** Lower-case, strip diacritics and split ligatures of one UTF-16 code unit ('' for combining marks). */
export function foldChar(char: string): string {
  const code = char.charCodeAt(0);
  const cached = foldCache.get(code);
  if (cached !== undefined) return cached;
  let folded: string;
  if (code >= 0x300 && code <= 0x36f) folded = '';
  else if (code >= 0xd800 && code <= 0xdfff) folded = char;
  else {
    const lower = char.toLowerCase();
    folded = LIGATURES[lower] ?? lower.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }
  foldCache.set(code, folded);
  return folded;
}

function isLetterChar(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 0x80) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  if (code >= 0xd800 && code <= 0xdfff) return false;
  return LETTER.test(char) || (code >= 0x300 && code <= 0x36f);
}

function isWordChar(char: string): boolean {
  return isLetterChar(char) || (char >= '0' && char <= '9') || LEET_CHARS.has(char);
}

/** Folds the whole text, keeping a normalised → original offset map. */
export function normaliseText(text: string): NormalisedText {
  let out = '';
  const offsets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const folded = foldChar(text[i]);
    for (let k = 0; k < folded.length; k++) offsets.push(i);
    out += folded;
  }
  offsets.push(text.length);
  return { text: out, offsets };
}

/** Squeezes runs of one repeated character to a single character. */
export function squeezeRepeats(word: string): string {
  let repeats = false;
  for (let i = 1; i < word.length && !repeats; i++) repeats = word[i] === word[i - 1];
  if (!repeats) return word;
  let out = '';
  for (let i = 0; i < word.length; i++) if (word[i] !== word[i - 1]) out += word[i];
  return out;
}

function hasStretch(word: string): boolean {
  for (let i = 2; i < word.length; i++) if (word[i] === word[i - 1] && word[i] === word[i - 2]) return true;
  return false;
}

export function canonicaliseClitic(form: string): string {
  return CLITICS.get(form) ?? form;
}

/** Builds a token from its folded raw characters: decodes leetspeak only inside words that contain letters. */
function buildToken(raw: string, hasLetter: boolean, gapBefore: Gap, start: number, end: number): Token | undefined {
  let form = raw;
  if (!hasLetter && !/[0-9]/.test(raw)) return undefined;
  if (hasLetter) {
    let decoded = raw;
    if (/[^a-z\u00e0-\u024f]/.test(raw)) {
      decoded = '';
      for (const char of raw) decoded += LEET[char] ?? char;
    }
    // Trailing "!!!" or "*" is punctuation, not a disguised letter.
    const leading = /^\*+/.exec(decoded);
    form = leading ? decoded.slice(leading[0].length) : decoded;
    start += leading ? leading[0].length : 0;
    const trailing = /[!|*+]+$/.exec(raw);
    if (trailing) form = form.slice(0, form.length - trailing[0].length);
    if (form === '') return undefined;
    end -= trailing ? trailing[0].length : 0;
  }
  const key = canonicaliseClitic(form);
  return { form, key, loose: squeezeRepeats(key), elongated: hasStretch(key), gapBefore, start, end };
}

function classifyGap(text: string, from: number, to: number, first: boolean): Gap {
  if (first) return 'start';
  let spaces = 0;
  let joiners = 0;
  let apostrophes = 0;
  for (let i = from; i < to; i++) {
    const char = text[i];
    if (char === ' ' || char === '\t' || char === '\u00a0') spaces++;
    else if (JOINERS.has(char)) joiners++;
    else if (APOSTROPHES.has(char)) apostrophes++;
    else return 'break';
  }
  if (apostrophes > 0) return apostrophes === 1 && spaces === 0 && joiners === 0 ? 'elision' : 'break';
  if (joiners > 0) return spaces === 0 && joiners <= 2 ? 'tight' : 'break';
  return spaces <= 3 ? 'space' : 'break';
}

/**
 * Splits text into word tokens. A word is a run of letters, digits and leetspeak symbols; é, ç, ß
 * are letters, so "con" is never a token inside "conçu" or "déconnecter". A leading "@" or "#"
 * marks a mention or hashtag and is not decoded as a letter.
 */
export function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  let previousEnd = 0;
  let i = 0;
  while (i < text.length) {
    if (!isWordChar(text[i]) || ((text[i] === '@' || text[i] === '#') && !isLetterBefore(text, i))) {
      i++;
      continue;
    }
    const start = i;
    let hasLetter = false;
    let plainAscii = true;
    while (i < text.length && isWordChar(text[i])) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) plainAscii = false;
      if (!hasLetter && isLetterChar(text[i])) hasLetter = true;
      i++;
    }
    // Most words are plain ASCII: one slice instead of folding character by character.
    const raw = plainAscii ? text.slice(start, i).toLowerCase() : foldRun(text, start, i);
    if (raw === '') continue;
    const gap = classifyGap(text, previousEnd, start, tokens.length === 0);
    const token = buildToken(raw, hasLetter, gap, start, i);
    if (token && token.form !== '') {
      tokens.push(token);
      previousEnd = token.end;
    }
  }
  return tokens;
}

function foldRun(text: string, from: number, to: number): string {
  let folded = '';
  for (let i = from; i < to; i++) folded += foldChar(text[i]);
  return folded;
}

function isLetterBefore(text: string, index: number): boolean {
  return index > 0 && isLetterChar(text[index - 1]);
}

/** Normalises a word-list phrase with the same rules as comment text, so both sides meet. */
export function normalisePhrase(phrase: string): Token[] {
  return tokenise(phrase);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone surrogates with U+FFFD; same length, so offsets into the original stay valid. */
export function repairUtf16(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** Cuts at `max` UTF-16 units without splitting a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return text.slice(0, cut);
}
