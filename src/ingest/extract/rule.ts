import type { Element } from 'domhandler';
import type { HtmlPage } from './load-html';

/**
 * One markup family: where its comments are and where each part of a comment sits.
 * Selector lists are tried in order; within a comment only elements that belong to it (not
 * to a nested reply) count.
 */
export interface MarkupRule {
  name: string;
  /** Every comment element, replies included. */
  items?: string;
  /** For families found by heuristics rather than selectors. */
  findItems?: (page: HtmlPage) => Element[];
  text: readonly string[];
  /** When no text selector matches, use the comment element itself (minus noise). */
  textFallbackToItem?: boolean;
  author: readonly string[];
  /** Elements carrying a machine-readable date in datetime, content or title. */
  date: readonly string[];
  /** Removed from the text: reply links, report buttons, avatars, meta lines. */
  noise: readonly string[];
  /** Containers of replies placed after the comment they answer (Drupal's div.indented). */
  replyContainers?: string;
}

/** Noise common to every family. */
export const COMMON_NOISE: readonly string[] = [
  '.reply', '.comment-reply', '[class*="reply-link"]', '[class*="comment-reply"]',
  '.says', '.screen-reader-text', '.sr-only', '.visually-hidden', '.avatar', '.photo',
  '[class*="report"]', '[class*="alert"]', '[class*="flag"]', '.edit-link',
  '.comment-edit-link', '[class*="comment-actions"]', '[class*="like"]', '[hidden]',
  '[style*="display:none"]', '[style*="display: none"]',
];
