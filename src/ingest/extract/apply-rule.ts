import type { AnyNode, Element } from 'domhandler';
import type { ExtractedComment } from '../../domain/comment';
import {
  previousElementSibling,
  readAuthorName,
  readCommentId,
  readCommentType,
  readMachineDate,
} from './comment-parts';
import { filterElements, type HtmlPage, listElements, selectElements } from './load-html';
import { hasVisibleText, isElement, readNodeText } from './node-text';
import { type OwnedMatches, RegionMatcher } from './region-matcher';
import { SelectionOnDemand, unionOf } from './selection-on-demand';
import { COMMON_NOISE, type MarkupRule } from './rule';

/** Comment-like elements inside these are previews or templates, never published comments. */
const NOT_PUBLISHED = 'form, #respond, .comment-respond, template';
const AUTHOR_NOISE = '.says, .screen-reader-text, .sr-only, .visually-hidden, .avatar, time';

/** Runs one markup rule over a parsed page; [] when the family is absent. */
export function applyRule(page: HtmlPage, rule: MarkupRule): ExtractedComment[] {
  const found = rule.findItems ? rule.findItems(page) : selectElements(page, rule.items ?? '');
  if (found.length === 0) return [];
  // Each selector is tested once per element that can matter, never per comment: a search per
  // comment and field, or over the whole page, costs more than parsing the page.
  const area = findCommonAncestor(found);
  const candidates = new Set(dropUnpublished(found));
  const region = new RegionMatcher(area ? listElements(area) : page.elements);
  const noise = new SelectionOnDemand([...COMMON_NOISE, ...rule.noise].join(', '));

  const textRoots = findTextRoots(region.ownedBy(candidates), rule, candidates, noise);
  const kept = [...candidates].filter((item) => textRoots.has(item));
  const items = new Set(kept);
  // Candidates dropped for lack of text may sit inside a kept one's text, which now includes them.
  noise.cover(textRoots.values(), items);
  const skip = unionOf(noise, items);

  const ownedByItem = region.ownedBy(items);
  const authorOf = new Map(kept.map((item) => [item, findFirst(ownedByItem, item, rule.author)] as const));
  // Author names sit inside meta blocks that are noise for the text, so they get a lighter skip list.
  const authorNoise = new SelectionOnDemand(AUTHOR_NOISE);
  authorNoise.cover([...authorOf.values()].filter((el) => el !== null), items);
  const authorSkip = unionOf(authorNoise, items);
  const replyContainers = rule.replyContainers
    ? new Set(filterElements(listAncestorsWithin(kept, area), rule.replyContainers))
    : null;
  const dateSelector = rule.date.join(', ');

  const depthOf = new Map<Element, number>();
  const idOf = new Map<Element, string | null>();
  const comments: ExtractedComment[] = [];
  for (const item of kept) {
    const text = readNodeText(textRoots.get(item)!, { skip });
    if (text.length === 0) continue;
    const parent = findParentItem(item, items, replyContainers);
    const id = readCommentId(item, () => ownDescendants(item, items));
    idOf.set(item, id);
    const depth = parent ? (depthOf.get(parent) ?? 1) + 1 : 1;
    depthOf.set(item, depth);
    const authorEl = authorOf.get(item);
    const dateEl = ownedByItem.find(item, dateSelector).find((el) => readMachineDate(el) !== null);
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

/** Items inside a form, #respond or a template (themselves included) are previews, not comments. */
function dropUnpublished(found: Element[]): Element[] {
  const unpublished = new Set(filterElements(listAncestorsWithin(found, null, true), NOT_PUBLISHED));
  return found.filter((el) => !hasAncestorIn(el, unpublished));
}

/** Ancestors of the elements (or the elements too) up to and including stop (null: the document), each once. */
function listAncestorsWithin(elements: Element[], stop: Element | null, includeSelf = false): Element[] {
  const seen = new Set<Element>();
  for (const el of elements) {
    let node: AnyNode | null = includeSelf ? el : el.parent;
    while (node && isElement(node) && !seen.has(node)) {
      seen.add(node);
      if (node === stop) break;
      node = node.parent;
    }
  }
  return [...seen];
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

/**
 * Each candidate's text element: the first of the rule's text selectors with an owned match that
 * has visible text. Selector by selector over all candidates, so noise is classified in batches.
 */
function findTextRoots(
  owned: OwnedMatches,
  rule: MarkupRule,
  candidates: ReadonlySet<Element>,
  noise: SelectionOnDemand,
): Map<Element, Element> {
  const skip = unionOf(noise, candidates);
  const roots = new Map<Element, Element>();
  let pending = [...candidates];
  for (const selector of rule.text) {
    if (pending.length === 0) break;
    const options = pending.map((item) => owned.find(item, selector));
    noise.cover(options.flat(), candidates);
    pending = pending.filter((item, i) => {
      const root = options[i].find((el) => hasVisibleText(el, { skip }));
      if (root) roots.set(item, root);
      return !root;
    });
  }
  if (rule.textFallbackToItem) {
    noise.cover(pending, candidates);
    for (const item of pending) if (hasVisibleText(item, { skip })) roots.set(item, item);
  }
  return roots;
}

/** The first element owned by item for the first of the selectors that matches at all. */
function findFirst(owned: OwnedMatches, item: Element, selectors: readonly string[]): Element | null {
  for (const selector of selectors) {
    const [first] = owned.find(item, selector);
    if (first) return first;
  }
  return null;
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

function hasAncestorIn(el: Element, set: ReadonlySet<AnyNode>): boolean {
  for (let node: AnyNode | null = el; node; node = node.parent) {
    if (set.has(node)) return true;
  }
  return false;
}
