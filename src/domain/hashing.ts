import { createHash } from 'node:crypto';

export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Identity of a comment when its source gave no id: the same author writing the same words
 * (modulo case and spacing) on the same article is the same comment, whichever door it came in.
 */
export function contentKeyOf(author: string | null, text: string): string {
  const normalised = text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  return hashText(`${(author ?? '').trim().toLowerCase()}\n${normalised}`);
}
