import type { MarkupRule } from '../rule';

/** Drupal 6–10: RDFa-typed comments (sioct/schema) or classic div.comment; replies in div.indented. */
export const drupalRule: MarkupRule = {
  name: 'drupal',
  items: [
    '[typeof~="sioct:Comment"]', '[typeof~="schema:Comment"]', '[typeof~="sioc:Post"].comment',
    '#comments .comment', '.comment-wrapper .comment', '[class*="node-comments"] .comment',
  ].join(', '),
  text: [
    '[property~="schema:text"]', '[property~="content:encoded"]', '[property~="sioc:content"]',
    '.field-name-comment-body', '.field--name-comment-body:not(:has([property~="schema:name"]))',
    '.comment-body', '.content', '.comment-content',
  ],
  author: [
    '[property~="schema:author"] .username', '.username', '[rel~="sioc:has_creator"]',
    '[property~="schema:author"]', '.comment-author', 'footer h6', '.submitted',
  ],
  date: [
    '[property~="schema:dateCreated"][content]', '[property~="dc:created"][content]',
    '[property~="dc:date"][content]', '[datatype="xsd:dateTime"][content]', 'time[datetime]',
  ],
  noise: [
    '.links', 'ul.links', '[property~="schema:name"]', '[property~="dc:title"]', '.submitted',
    'footer', 'mark', '.user-picture', '.rdf-meta', 'h3.title', 'h3.comment-title',
  ],
  replyContainers: '.indented',
};
