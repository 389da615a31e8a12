import type { MarkupRule } from '../rule';

/**
 * WordPress's Walker_Comment (html5 and legacy) and the themes and plugins that keep its
 * classes: comment_class() always prints "comment|pingback|trackback" and "depth-N".
 */
export const wordpressRule: MarkupRule = {
  name: 'wordpress',
  items: [
    'li.comment', 'li.pingback', 'li.trackback',
    '.comment[class*="depth-"]', '.pingback[class*="depth-"]', '.trackback[class*="depth-"]',
    '[id^="comment-"][data-comment-id]',
  ].join(', '),
  text: [
    '.comment-content', '.comment-text', '.comment-entry', '[class*="comment-content"]',
    '[class*="comment-text"]', 'blockquote.entry-content', '.entry-content',
    '[itemprop="text"]', '.comment-body', '[class*="comment-body"]',
  ],
  author: [
    '.comment-author .fn', '.fn', 'cite', '[class*="author-name"]', '[class*="author-link"]',
    '.comment-author', '[class*="comment-author"]', 'a.url',
  ],
  date: ['time[datetime]', 'abbr.published[title]', '[itemprop="datePublished"]', '[itemprop="dateCreated"]'],
  noise: [
    '.comment-meta', '.comment-metadata', '.commentmetadata', '.comment-author', 'footer',
    '.comment-util', '.vcard', '[class*="comment-meta"]',
  ],
};
