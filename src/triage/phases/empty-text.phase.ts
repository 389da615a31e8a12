import type { Phase } from '../pipeline';

const WORD = /[\p{L}\p{N}]/u;
const URL = /\b(?:https?:\/\/|www\.)\S+/giu;

/** Notes comments with nothing to read (empty, emoji only, links only); the scores still decide. */
export const noteEmptyTextPhase: Phase = (input) => {
  if (input.text.trim() === '') return { reasons: [{ code: 'empty_text', message: 'the comment is empty' }] };
  if (!WORD.test(input.text)) {
    return { reasons: [{ code: 'no_words', message: 'the comment has no letters or digits (emoji or symbols only)' }] };
  }
  if (!WORD.test(input.text.replace(URL, ''))) {
    return { reasons: [{ code: 'links_only', message: 'the comment contains only links' }] };
  }
  return undefined;
};
