import type { Element } from 'domhandler';
import { type NodeSet, readNodeText } from './node-text';

const ID_ATTRIBUTE = /(?:comment|forum|reaction|reply|message|post|^c)[-_]?(\d+)$/i;
const DATA_ID_ATTRIBUTES = ['data-comment-id', 'data-commentid', 'data-cid', 'data-id', 'data-comment'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The site's id of a comment: the element's own id, a data attribute, or an anchor just before it. */
export function readCommentId(item: Element, ownDescendants: () => Element[]): string | null {
  const fromSelf = readIdAttributes(item);
  if (fromSelf) return fromSelf;
  const anchor = previousElementSibling(item);
  if (anchor && anchor.name === 'a' && anchor.children.every((c) => c.type !== 'tag')) {
    const fromAnchor = readIdAttributes(anchor);
    if (fromAnchor) return fromAnchor;
  }
  for (const el of ownDescendants()) {
    const found = readIdAttributes(el);
    if (found) return found;
  }
  return null;
}

function readIdAttributes(el: Element): string | null {
  for (const name of ['id', 'name']) {
    const match = ID_ATTRIBUTE.exec(el.attribs[name] ?? '');
    if (match) return match[1];
  }
  for (const name of DATA_ID_ATTRIBUTES) {
    const value = el.attribs[name]?.trim();
    if (value && /^[\w-]{1,64}$/.test(value)) return value;
  }
  return null;
}

export function previousElementSibling(el: Element): Element | null {
  let node = el.prev;
  while (node && node.type !== 'tag') node = node.prev;
  return (node as Element | null) ?? null;
}

/** An ISO-8601 date from datetime, content or title; placeholders like "comment_date" are refused. */
export function readMachineDate(el: Element): string | null {
  for (const name of ['datetime', 'content', 'title']) {
    const value = el.attribs[name]?.trim();
    if (value && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))) return value;
  }
  return null;
}

/** A display name without the date or "says:" that often shares its line. */
export function readAuthorName(el: Element, skip: NodeSet): string | null {
  const raw = readNodeText(el, { skip }).split('\n')[0] ?? '';
  const name = raw
    .split(/\s+\|\s+|\s+[-–—]\s+(?:le|on|am|el|il)\s+\d|\s+[-–—]\s+\d/i)[0]
    .replace(/^(?:par|by|von|de)\s+/i, '')
    .replace(/\s*(?:says|dit|a dit|sagt|schreibt|wrote)\s*:?\s*$/i, '')
    .replace(/[:,]\s*$/, '')
    .trim();
  return name.length > 0 && name.length <= 120 ? name : null;
}

export function readCommentType(item: Element, text: string): 'comment' | 'pingback' | 'trackback' {
  const classes = ` ${item.attribs.class ?? ''} `;
  if (/\spingback\s/.test(classes) || /^pingback\s*:/i.test(text)) return 'pingback';
  if (/\strackback\s/.test(classes) || /^trackback\s*:/i.test(text)) return 'trackback';
  return 'comment';
}
