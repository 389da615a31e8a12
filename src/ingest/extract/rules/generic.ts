import type { AnyNode, Element } from 'domhandler';
import type { HtmlPage } from '../load-html';
import { isElement } from '../node-text';
import type { MarkupRule } from '../rule';

const COMMENT_WORD = /^(comments?|commentaires?|kommentare?|commenti|comentarios?|reactions?|réactions?|reacties|discussions?|forum|replies|responses)$/i;
/** Tokens that mark a form, a counter, a title or navigation rather than a list of comments. */
const DECOY_WORD = /^(respond|reply|form|count|counter|nb|number|total|title|titre|header|heading|head|link|links|button|btn|icon|bar|share|social|related|widget|recent|latest|popular|login|policy|rules|charte|closed|open|toggle|trigger|tabs?|nav|pagination|meta|author|avatar|date|text|content|body|message)$/i;
const CONTAINER_TAGS = new Set(['div', 'section', 'aside', 'ol', 'ul', 'main', 'article', 'dl']);
const ITEM_TAGS = new Set(['div', 'li', 'article', 'section', 'dd', 'tr', 'aside']);
const STATE_CLASS = /^(odd|even|alt|first|last|active|selected|clearfix|cf|hidden|visible|byuser|bypostauthor|parent|has-children|new|unread|highlight(ed)?)$|^(depth|thread|comment-author|level)-|\d/;
const COMMENT_PART = /author|user|pseudo|name|date|time|posted|submitted|infos?|avatar|comment|meta/i;
const MIN_ITEM_TEXT = 15;

/** Reader comments found by shape: a container named like comments holding repeated blocks. */
export const genericRule: MarkupRule = {
  name: 'generic',
  findItems: findRepeatedCommentBlocks,
  text: [
    '[class*="content"]', '[class*="text"]', '[class*="message"]', '[class*="story"]',
    '[itemprop~="text"]', 'blockquote', '[class*="body"]',
  ],
  textFallbackToItem: true,
  replyContainers: '.indented',
  author: [
    '[class*="author-name"]', '[class*="author-link"]', '[class*="author"] [class*="name"]',
    '[class*="username"]', '[class*="pseudo"]', '[class*="author"]', 'cite', '[class*="infos"] strong',
    '[class*="user"]', 'strong', 'b',
  ],
  date: ['time[datetime]', '[datetime]', '[itemprop="datePublished"]', 'abbr[title]', '[content]'],
  noise: [
    '[class*="author"]', '[class*="meta"]', '[class*="date"]', '[class*="infos"]', 'header',
    'footer', 'time', '[class*="actions"]',
  ],
};

export function findCommentContainers(page: HtmlPage): Element[] {
  return page.elements.filter((el) => CONTAINER_TAGS.has(el.name) && isNamedLikeComments(el));
}

function isNamedLikeComments(el: Element): boolean {
  const tokens = `${el.attribs.id ?? ''} ${el.attribs.class ?? ''}`
    .split(/[\s_-]+|(?<=[a-z])(?=[A-Z])/)
    .filter(Boolean);
  return tokens.some((t) => COMMENT_WORD.test(t)) && !tokens.some((t) => DECOY_WORD.test(t));
}

function findRepeatedCommentBlocks(page: HtmlPage): Element[] {
  let best: Element[] = [];
  for (const container of findCommentContainers(page)) {
    const group = findBestGroup(container);
    if (group.length > best.length) best = group;
  }
  return best;
}

interface Measure {
  text: number;
  linkText: number;
  commentParts: boolean;
}

/** The largest set of same-signature blocks with enough non-link text; shallowest wins ties. */
function findBestGroup(container: Element): Element[] {
  const order = listSubtree(container);
  const measures = measureSubtree(order);
  const groups = new Map<string, { members: Element[]; depth: number }>();
  for (const { el, depth } of order) {
    if (el === container || !ITEM_TAGS.has(el.name)) continue;
    const m = measures.get(el)!;
    if (m.text < MIN_ITEM_TEXT || m.linkText / m.text > 0.5 || !m.commentParts) continue;
    const key = signatureOf(el);
    const group = groups.get(key) ?? { members: [], depth };
    group.members.push(el);
    group.depth = Math.min(group.depth, depth);
    groups.set(key, group);
  }
  let best: { members: Element[]; depth: number } | null = null;
  for (const group of groups.values()) {
    group.members = dropWrappers(group.members, measures);
    if (!best || group.members.length > best.members.length
      || (group.members.length === best.members.length && group.depth < best.depth)) best = group;
  }
  return best?.members ?? [];
}

/** A member whose text is all in one nested member of the same shape is a wrapper, not a comment. */
function dropWrappers(members: Element[], measures: Map<Element, Measure>): Element[] {
  const set = new Set(members);
  const wrappers = new Set<Element>();
  for (const member of members) {
    for (let node = member.parent; node && isElement(node); node = node.parent) {
      if (!set.has(node)) continue;
      if (measures.get(node)!.text === measures.get(member)!.text) wrappers.add(node);
      break;
    }
  }
  return members.filter((m) => !wrappers.has(m));
}

interface Visit {
  el: Element;
  depth: number;
}

/** Pre-order list of the elements under root, skipping forms (the comment form is never a comment). */
function listSubtree(root: Element): Visit[] {
  const out: Visit[] = [];
  const stack: Visit[] = [{ el: root, depth: 0 }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    if (visit.el.name === 'form' || visit.el.name === 'script' || visit.el.name === 'style') continue;
    out.push(visit);
    const children = visit.el.children.filter(isElement);
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push({ el: children[i], depth: visit.depth + 1 });
  }
  return out;
}

/** Text length, link text length and "has an author/date-like part" per element, children first. */
function measureSubtree(order: Visit[]): Map<Element, Measure> {
  const measures = new Map<Element, Measure>();
  for (let i = order.length - 1; i >= 0; i -= 1) {
    const { el } = order[i];
    const m: Measure = { text: 0, linkText: 0, commentParts: el.name === 'time' || el.name === 'cite' };
    for (const child of el.children) {
      if (child.type === 'text') {
        m.text += countVisible((child as AnyNode & { data: string }).data);
      } else if (isElement(child)) {
        const c = measures.get(child);
        if (!c) continue;
        m.text += c.text;
        m.linkText += child.name === 'a' ? c.text : c.linkText;
        m.commentParts ||= c.commentParts || COMMENT_PART.test(`${child.attribs.class ?? ''} ${child.attribs.id ?? ''}`);
      }
    }
    measures.set(el, m);
  }
  return measures;
}

function countVisible(text: string): number {
  return text.replace(/\s+/g, '').length;
}

function signatureOf(el: Element): string {
  const classes = (el.attribs.class ?? '')
    .split(/\s+/)
    .filter((c) => c && !STATE_CLASS.test(c))
    .sort()
    .join('.');
  const id = el.attribs.id && /\d/.test(el.attribs.id) ? `#${el.attribs.id.replace(/\d+/g, 'N')}` : '';
  return `${el.name}.${classes}${id}`;
}
