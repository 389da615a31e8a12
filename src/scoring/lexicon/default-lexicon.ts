import { compileLexicon, type Lexicon, type WordList } from './compile';
import englishList from './en.json';
import frenchList from './fr.json';

let compiled: Lexicon | undefined;

/** The shipped French + English lists, compiled once per process. */
export function loadDefaultLexicon(): Lexicon {
  compiled ??= compileLexicon([frenchList as WordList, englishList as WordList]);
  return compiled;
}
