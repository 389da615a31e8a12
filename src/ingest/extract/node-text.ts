import type { AnyNode, Element } from 'domhandler';

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption',
  'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'ol',
  'p', 'pre', 'section', 'table', 'td', 'th', 'tr', 'ul',
]);

/** Elements whose content is never reader text, whatever the markup family. */
const NEVER_TEXT_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'img', 'button', 'form', 'input', 'select',
  'textarea', 'iframe', 'object', 'video', 'audio', 'canvas', 'head', 'title', 'meta', 'link',
]);

/** Membership only: a Set, or a selection computed on demand. */
export interface NodeSet {
  has(node: AnyNode): boolean;
}

export interface TextOptions {
  /** Elements skipped with their subtree (nested replies, reply links, avatars…). */
  skip?: NodeSet;
  /** Script data as-is: no block breaks, no whitespace collapsing (JSON-LD). */
  raw?: boolean;
}

/**
 * The visible text of a subtree, one line per block, whitespace collapsed. Iterative so that
 * absurdly deep markup cannot overflow the stack.
 */
export function readNodeText(root: AnyNode, options: TextOptions = {}): string {
  const parts: string[] = [];
  walkText(root, options, (part) => {
    parts.push(part);
    return false;
  });
  return options.raw ? parts.join('') : normaliseText(parts.join(''));
}

const VISIBLE_CHARACTER = /[^\s\u200b]/;

/** Whether readNodeText would return anything, without building the text (stops at the first visible character). */
export function hasVisibleText(root: AnyNode, options: TextOptions = {}): boolean {
  let found = false;
  walkText(root, options, (part) => (found = VISIBLE_CHARACTER.test(part)));
  return found;
}

/** Calls onPart with each text node's data and block breaks, in document order, until it returns true. */
function walkText(root: AnyNode, options: TextOptions, onPart: (part: string) => boolean): void {
  const stack: Array<AnyNode | '\n'> = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === '\n') {
      if (onPart('\n')) return;
      continue;
    }
    if (node.type === 'text') {
      if (onPart((node as unknown as { data: string }).data)) return;
      continue;
    }
    if (node.type === 'root') {
      for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]);
      continue;
    }
    if (!isElement(node)) continue;
    if (node !== root && options.skip?.has(node)) continue;
    if (!options.raw && !mayHoldText(node)) continue;
    if (!options.raw && BLOCK_TAGS.has(node.name)) {
      if (onPart('\n')) return;
      stack.push('\n');
    }
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]);
  }
}

/** Collapses runs of spaces inside lines and drops empty lines. */
export function normaliseText(raw: string): string {
  return raw
    .split('\n')
    .map((line) => line.replace(/[\s\u00a0\u200b]+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** False for elements whose content is never reader text (scripts, media, forms…). */
export function mayHoldText(el: Element): boolean {
  return !NEVER_TEXT_TAGS.has(el.name);
}

export function isElement(node: AnyNode | null | undefined): node is Element {
  return node != null && (node.type === 'tag' || node.type === 'script' || node.type === 'style');
}
