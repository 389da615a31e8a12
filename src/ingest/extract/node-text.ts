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

export interface TextOptions {
  /** Elements skipped with their subtree (nested replies, reply links, avatars…). */
  skip?: ReadonlySet<AnyNode>;
  /** Script data as-is: no block breaks, no whitespace collapsing (JSON-LD). */
  raw?: boolean;
}

/**
 * The visible text of a subtree, one line per block, whitespace collapsed. Iterative so that
 * absurdly deep markup cannot overflow the stack.
 */
export function readNodeText(root: AnyNode, options: TextOptions = {}): string {
  const parts: string[] = [];
  const stack: Array<AnyNode | '\n'> = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === '\n') {
      parts.push('\n');
      continue;
    }
    if (node.type === 'text') {
      parts.push((node as unknown as { data: string }).data);
      continue;
    }
    if (node.type === 'root') {
      for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]);
      continue;
    }
    if (!isElement(node)) continue;
    if (node !== root && options.skip?.has(node)) continue;
    if (!options.raw && NEVER_TEXT_TAGS.has(node.name)) continue;
    const block = !options.raw && BLOCK_TAGS.has(node.name);
    if (block) {
      parts.push('\n');
      stack.push('\n');
    }
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]);
  }
  return options.raw ? parts.join('') : normaliseText(parts.join(''));
}

/** Collapses runs of spaces inside lines and drops empty lines. */
export function normaliseText(raw: string): string {
  return raw
    .split('\n')
    .map((line) => line.replace(/[\s\u00a0\u200b]+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

export function isElement(node: AnyNode | null | undefined): node is Element {
  return node != null && (node.type === 'tag' || node.type === 'script' || node.type === 'style');
}
