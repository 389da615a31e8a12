import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { ExtractedComment } from '../../domain/comment';
import {
  previousElementSibling,
  readAuthorName,
  readCommentId,
  readCommentType,
  readMachineDate,
} from './comment-parts';
import { selectElements } from './load-html';
import { isElement, readNodeText } from './node-text';
import { COMMON_NOISE, type MarkupRule } from './rule';

/** Comment-like elements inside these are previews or templates, never published comments. */
const NOT_PUBLISHED = 'form, #respond, .comment-respond, template';
const AUTHOR_NOISE = '.says, .screen-reader-text, .sr-only, .visually-hidden, .avatar, time';

interface Candidate {
  item: Element;
  textRoot: Element;
}

/** Runs one markup rule over a parsed page; [] when the family is absent. */
export function applyRule($: CheerioAPI, rule: MarkupRule): ExtractedComment[] {
  const found = rule.findItems ? rule.findItems($) : selectElements($, rule.items ?? '');
  if (found.length === 0) return [];
  // Noise and containers are only looked for around the comments: whole-page scans cost more than parsing.
  const area = findCommonAncestor(found);
  const excluded = new Set<AnyNode>(selectWithin($, NOT_PUBLISHED, area));
  for (let node = area?.parent; node && isElement(node); node = node.parent) {
    if ($(node).is(NOT_PUBLISHED)) excluded.add(node);
  }
  const candidates = new Set(found.filter((el) => !hasAncestorIn(el, excluded)));
  const noise = new Set<Element>(selectWithin($, [...COMMON_NOISE, ...rule.noise].join(', '), area));

  const firstPass = new Set<Element>([...noise, ...candidates]);
  const kept: Candidate[] = [];
  for (const item of candidates) {
    const textRoot = findTextRoot($, rule, item, candidates, firstPass);
    if (textRoot) kept.push({ item, textRoot });
  }
  const items = new Set(kept.map((c) => c.item));
  const skip = new Set<Element>([...noise, ...items]);
  // Author names sit inside meta blocks that are noise for the text, so they get a lighter skip list.
  const authorSkip = new Set<Element>([...selectWithin($, AUTHOR_NOISE, area), ...items]);
  const replyContainers = rule.replyContainers ? new Set(selectWithin($, rule.replyContainers, area)) : null;

  const depthOf = new Map<Element, number>();
  const idOf = new Map<Element, string | null>();
  const comments: ExtractedComment[] = [];
  for (const { item, textRoot } of kept) {
    const text = readNodeText(textRoot, { skip });
    if (text.length === 0) continue;
    const parent = findParentItem(item, items, replyContainers);
    const own = (selectors: readonly string[]) => findOwn($, item, selectors, items);
    const id = readCommentId(item, () => ownDescendants(item, items));
    idOf.set(item, id);
    const depth = parent ? (depthOf.get(parent) ?? 1) + 1 : 1;
    depthOf.set(item, depth);
    const authorEl = own(rule.author);
    const dateEl = findOwnAll($, item, rule.date, items).find((el) => readMachineDate(el) !== null);
    comments.push({
      id,
      parentId: parent ? (idOf.get(parent) ?? null) : null,
      author: authorEl ? readAuthorName(authorEl, authorSkip) : null,
      publishedAt: dateEl ? readMachineDate(dateEl) : null,
      text,
      depth,
      type: readCommentType(item, text),
    });
  }
  return comments;
}

function selectWithin($: CheerioAPI, selector: string, area: Element | null): Element[] {
  return area ? [area, ...selectElements($, selector, area)].filter((el, i) => i > 0 || $(el).is(selector)) : selectElements($, selector);
}

/** The deepest element containing all the given ones (null when they only share the document). */
function findCommonAncestor(elements: Element[]): Element | null {
  const chain: Element[] = [];
  for (let node = elements[0]?.parent; node && isElement(node); node = node.parent) chain.push(node);
  let index = 0;
  for (const el of elements.slice(1)) {
    const onChain = new Set(chain.slice(index));
    let node: AnyNode | null = el.parent;
    while (node && !(isElement(node) && onChain.has(node))) node = node.parent;
    if (!node) return null;
    index = chain.indexOf(node as Element);
  }
  return chain[index] ?? null;
}

function findTextRoot(
  $: CheerioAPI,
  rule: MarkupRule,
  item: Element,
  candidates: ReadonlySet<Element>,
  skip: ReadonlySet<Element>,
): Element | null {
  for (const selector of rule.text) {
    for (const el of findOwnAll($, item, [selector], candidates)) {
      if (readNodeText(el, { skip }).length > 0) return el;
    }
  }
  if (rule.textFallbackToItem && readNodeText(item, { skip }).length > 0) return item;
  return null;
}

function findOwn($: CheerioAPI, item: Element, selectors: readonly string[], items: ReadonlySet<Element>): Element | null {
  for (const selector of selectors) {
    const [first] = findOwnAll($, item, [selector], items);
    if (first) return first;
  }
  return null;
}

/** Descendants of item matching the selectors that do not belong to a nested comment. */
function findOwnAll($: CheerioAPI, item: Element, selectors: readonly string[], items: ReadonlySet<Element>): Element[] {
  return selectElements($, selectors.join(', '), item).filter((el) => nearestAncestorIn(el, items) === item);
}

function ownDescendants(item: Element, items: ReadonlySet<Element>): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [...item.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isElement(node) || items.has(node)) continue;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]);
  }
  return out;
}

/** The comment this one answers: an enclosing comment, or the one before its reply container. */
function findParentItem(
  item: Element,
  items: ReadonlySet<Element>,
  replyContainers: ReadonlySet<Element> | null,
): Element | null {
  for (let node = item.parent; node && isElement(node); node = node.parent) {
    if (items.has(node)) return node;
    if (replyContainers?.has(node)) return findItemBefore(node, items);
  }
  return null;
}

function findItemBefore(container: Element, items: ReadonlySet<Element>): Element | null {
  for (let sibling = previousElementSibling(container); sibling; sibling = previousElementSibling(sibling)) {
    if (items.has(sibling)) return sibling;
    const inside = firstItemWithin(sibling, items);
    if (inside) return inside;
  }
  return null;
}

function firstItemWithin(root: Element, items: ReadonlySet<Element>): Element | null {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isElement(node)) continue;
    if (items.has(node)) return node;
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]);
  }
  return null;
}

function nearestAncestorIn(el: Element, set: ReadonlySet<Element>): Element | null {
  for (let node = el.parent; node && isElement(node); node = node.parent) {
    if (set.has(node)) return node;
  }
  return null;
}

function hasAncestorIn(el: Element, set: ReadonlySet<AnyNode>): boolean {
  for (let node: AnyNode | null = el; node; node = node.parent) {
    if (set.has(node)) return true;
  }
  return false;
}
