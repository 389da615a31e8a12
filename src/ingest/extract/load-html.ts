import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Document, Element } from 'domhandler';
import { isElement, readNodeText } from './node-text';
import { prefilterFor } from './selector-syntax';

/**
 * htmlparser2 rather than parse5: four times faster on article pages, tolerant of truncated
 * markup, and it builds the tree without recursion.
 */
const PARSER_OPTIONS = { xml: { xmlMode: false, decodeEntities: true } };

/**
 * One cheerio instance parses every page and matches every selector. cheerio.load() defines a
 * class per call, and V8 keeps the page it holds reachable from that class until a full
 * collection: loading pages one after another then costs as much in garbage collection as in
 * parsing.
 */
const engine = cheerio.load('', PARSER_OPTIONS);

/**
 * A parsed page, what the extractors work on. Per call, not cached per document: a WeakMap
 * keyed by documents keeps each page alive through young-generation collections.
 */
export class HtmlPage {
  private elementList: Element[] | null = null;

  constructor(readonly document: Document) {}

  /** Every element in document order, listed once however many rules ask. */
  get elements(): Element[] {
    return (this.elementList ??= listElements(this.document));
  }
}

/** A page as a DOM, deep nesting flattened. */
export function parseHtmlDocument(html: string): Document {
  // $(selector, context, root) parses a root given as a string with this instance's parser.
  const document = engine(undefined, null, html)._root![0];
  flattenDeepMarkup(document);
  return document;
}

/** The same, as a cheerio API bound to the page, for code that queries it directly. */
export function loadHtml(html: string): CheerioAPI {
  return cheerio.load(parseHtmlDocument(html), PARSER_OPTIONS);
}

/**
 * Nesting deeper than this is flattened to its text. Selector matching walks ancestors, so
 * hostile markup nested 100k deep would otherwise cost minutes; real pages stay under 60.
 */
export const MAX_ELEMENT_DEPTH = 256;

/** Walks the tree by parent/sibling links, so depth is tracked without a stack or allocations. */
function flattenDeepMarkup(root: Document): void {
  let node: AnyNode | null = root.children[0] ?? null;
  let depth = 1;
  while (node) {
    if (isElement(node) && node.children.length > 0) {
      if (depth < MAX_ELEMENT_DEPTH) {
        node = node.children[0];
        depth += 1;
        continue;
      }
      engine(node).text(readNodeText(node));
    }
    while (node && !node.next && node !== root) {
      node = node.parent;
      depth -= 1;
    }
    node = node && node !== root ? node.next : null;
  }
}

/** Text of an HTML fragment (REST content.rendered, feed bodies, JSON-LD text); markup never survives. */
export function convertHtmlToText(fragment: string): string {
  return readNodeText(parseHtmlDocument(fragment));
}

/** Elements of the page matching a selector, in document order. */
export function selectElements(page: HtmlPage, selector: string): Element[] {
  return selector ? filterElements(page.elements, selector) : [];
}

/**
 * The elements matching a selector, in their order; a cheap prefilter spares the CSS matcher
 * most of them. Each element is matched in its own document (jQuery's positional :first/:eq,
 * which would need the instance's root, are not for rule selectors).
 */
export function filterElements(elements: Element[], selector: string): Element[] {
  const prefilter = prefilterFor(selector);
  const candidates = prefilter ? elements.filter(prefilter) : elements;
  return candidates.length === 0 ? [] : engine(candidates).filter(selector).toArray();
}

/** $(root).find(selector): descendants of root, the selector's ancestors taken within root (root included). */
export function findDescendants(root: Element, selector: string): Element[] {
  return engine(root).find(selector).toArray();
}

/** The element's markup, for debug messages. */
export function renderHtml(el: Element): string {
  return engine.html(el);
}

/** Pre-order list of root (when an element) and every element under it; no recursion. */
export function listElements(root: AnyNode): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node)) out.push(node);
    else if (node.type !== 'root') continue;
    const children = (node as Element).children;
    for (let i = children.length - 1; i >= 0; i -= 1) {
      if (isElement(children[i])) stack.push(children[i]);
    }
  }
  return out;
}
