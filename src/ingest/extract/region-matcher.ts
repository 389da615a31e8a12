import type { Element } from 'domhandler';
import { filterElements, findDescendants } from './load-html';
import { isElement } from './node-text';
import { parseSelector, type SelectorMember } from './selector-syntax';

/**
 * Matches selectors once over the part of a page that holds the comments, instead of one
 * search per comment and per field: each selector costs one pass over the region, however many
 * comments there are, and each comment then looks up the matches it owns.
 */
export class RegionMatcher {
  private readonly matches = new Map<string, Element[]>();
  private readonly matchSets = new Map<string, ReadonlySet<Element>>();

  /** elements: the region's, in document order. */
  constructor(private readonly elements: Element[]) {}

  /** Elements of the region (its root included) matching the selector, in document order. */
  matchAll(selector: string): Element[] {
    let found = this.matches.get(selector);
    if (!found) {
      found = filterElements(this.elements, selector);
      this.matches.set(selector, found);
    }
    return found;
  }

  matchSet(selector: string): ReadonlySet<Element> {
    let set = this.matchSets.get(selector);
    if (!set) {
      set = new Set(this.matchAll(selector));
      this.matchSets.set(selector, set);
    }
    return set;
  }

  /** Lookups of the elements that belong to each owner (a comment) rather than to a nested one. */
  ownedBy(owners: ReadonlySet<Element>): OwnedMatches {
    return new OwnedMatches(this, owners);
  }
}

export class OwnedMatches {
  private readonly byOwner = new Map<string, Map<Element, Element[]>>();
  private readonly fallback = new Map<Element, Map<string, ReadonlySet<Element>>>();

  constructor(
    private readonly region: RegionMatcher,
    private readonly owners: ReadonlySet<Element>,
  ) {}

  /**
   * Descendants of owner matching the selector (a group is allowed) whose nearest enclosing
   * owner is this one, in document order. As with $(owner).find(selector), the ancestors named in
   * a descendant selector ("a b") must be the owner or lie inside it.
   */
  find(owner: Element, selector: string): Element[] {
    const candidates = this.groupByOwner(selector).get(owner) ?? [];
    const members = parseSelector(selector);
    if (members.every((m) => m.compounds !== null && m.compounds.length === 1)) return candidates;
    return candidates.filter((el) => members.some((m) => this.matchesInside(owner, el, m)));
  }

  private groupByOwner(selector: string): Map<Element, Element[]> {
    let groups = this.byOwner.get(selector);
    if (!groups) {
      groups = new Map();
      for (const el of this.region.matchAll(selector)) {
        const owner = nearestAncestorIn(el, this.owners);
        if (!owner) continue;
        const list = groups.get(owner);
        if (list) list.push(el);
        else groups.set(owner, [el]);
      }
      this.byOwner.set(selector, groups);
    }
    return groups;
  }

  /** el matches "a b c" with elements for a and b among its ancestors up to owner, owner included (the nearest ones suffice). */
  private matchesInside(owner: Element, el: Element, member: SelectorMember): boolean {
    const { compounds } = member;
    if (compounds === null) return this.findWithCheerio(owner, member.selector).has(el);
    if (!this.region.matchSet(compounds[compounds.length - 1]).has(el)) return false;
    let next = compounds.length - 2;
    for (let node = el.parent; next >= 0 && node && isElement(node); node = node.parent) {
      if (this.region.matchSet(compounds[next]).has(node)) next -= 1;
      if (node === owner) break;
    }
    return next < 0;
  }

  /** Child, sibling and other combinators: rare enough to search per owner. */
  private findWithCheerio(owner: Element, selector: string): ReadonlySet<Element> {
    let perOwner = this.fallback.get(owner);
    if (!perOwner) {
      perOwner = new Map();
      this.fallback.set(owner, perOwner);
    }
    let found = perOwner.get(selector);
    if (!found) {
      found = new Set(findDescendants(owner, selector));
      perOwner.set(selector, found);
    }
    return found;
  }
}

export function nearestAncestorIn(el: Element, set: ReadonlySet<Element>): Element | null {
  for (let node = el.parent; node && isElement(node); node = node.parent) {
    if (set.has(node)) return node;
  }
  return null;
}
