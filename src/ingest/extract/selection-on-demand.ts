import type { AnyNode, Element } from 'domhandler';
import { filterElements } from './load-html';
import { isElement, mayHoldText, type NodeSet } from './node-text';

/**
 * Elements matching a selector, classified only inside the subtrees a caller is about to read.
 * Noise selectors are long lists; testing them on the few elements a text walk visits, in one
 * batch per phase, is far cheaper than testing every element of the comment area. Each element
 * is matched on its own (the noise lists are compound selectors, no "a b" chains).
 */
export class SelectionOnDemand implements NodeSet {
  private readonly classified = new Set<Element>();
  private readonly matched = new Set<Element>();

  constructor(private readonly selector: string) {}

  /** Classifies the elements under roots that a text walk can reach: not below another boundary element, not inside script/svg/…. */
  cover(roots: Iterable<Element>, boundary: ReadonlySet<Element>): void {
    const batch: Element[] = [];
    for (const root of roots) {
      const stack: Element[] = [root];
      while (stack.length > 0) {
        const el = stack.pop()!;
        if (!this.classified.has(el)) {
          this.classified.add(el);
          batch.push(el);
        }
        if ((el !== root && boundary.has(el)) || !mayHoldText(el)) continue;
        for (const child of el.children) if (isElement(child)) stack.push(child);
      }
    }
    for (const el of filterElements(batch, this.selector)) this.matched.add(el);
  }

  has(node: AnyNode): boolean {
    if (!isElement(node)) return false;
    // An element outside the covered subtrees is still answered correctly, one selector compile each.
    if (!this.classified.has(node)) {
      this.classified.add(node);
      if (filterElements([node], this.selector).length > 0) this.matched.add(node);
    }
    return this.matched.has(node);
  }
}

/** A skip list made of several sets, none of them copied. */
export function unionOf(...sets: NodeSet[]): NodeSet {
  return { has: (node) => sets.some((set) => set.has(node)) };
}
