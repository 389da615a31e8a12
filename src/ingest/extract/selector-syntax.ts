import type { Element } from 'domhandler';

/**
 * Just enough CSS selector syntax for the rules' own selectors: splitting groups and descendant
 * chains, and the cheap necessary condition an element must meet before the real matcher runs.
 */

export interface SelectorMember {
  selector: string;
  /** "a b c" → ["a", "b", "c"]; null when another combinator (>, +, ~) is used. */
  compounds: string[] | null;
}

const parsedSelectors = new Map<string, SelectorMember[]>();

/** A selector group split at its commas, each member at its descendant combinators (memoised: rules are constants). */
export function parseSelector(selector: string): SelectorMember[] {
  let members = parsedSelectors.get(selector);
  if (!members) {
    members = splitOutsideNesting(selector, (ch) => (ch === ',' ? 'split' : 'keep'))!.map((member) => ({
      selector: member,
      compounds: splitOutsideNesting(member, (ch) => {
        if (ch === '>' || ch === '+' || ch === '~') return 'refuse';
        return /\s/.test(ch) ? 'split' : 'keep';
      }),
    }));
    parsedSelectors.set(selector, members);
  }
  return members;
}

/** Splits where classify says so, ignoring characters inside brackets, parentheses, quotes and escapes. */
function splitOutsideNesting(selector: string, classify: (ch: string) => 'split' | 'keep' | 'refuse'): string[] | null {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < selector.length; i += 1) {
    const ch = selector[i];
    if (ch === '\\') {
      current += selector.slice(i, i + 2);
      i += 1;
      continue;
    }
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '[' || ch === '(') {
      depth += 1;
    } else if (ch === ']' || ch === ')') {
      depth -= 1;
    } else if (depth === 0) {
      const kind = classify(ch);
      if (kind === 'refuse') return null;
      if (kind === 'split') {
        if (current.trim()) parts.push(current.trim());
        current = '';
        continue;
      }
    }
    current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** Something a matching element must have: a class attribute containing a token, an attribute, or a tag name. */
type Requirement = { kind: 'class'; token: string } | { kind: 'attribute'; name: string } | { kind: 'tag'; name: string };

const SIMPLE_COMPOUND = /^([a-zA-Z][\w-]*)?((?:\.[\w-]+|#[\w-]+|\[[\w-]+(?:[~^$*|]?=(?:"[^"]*"|'[^']*'|[\w-]+))?\])*)(?::.*)?$/;
const COMPOUND_CLASS = /\.([\w-]+)/;
const COMPOUND_ATTRIBUTE = /\[([\w-]+)/g;
const QUOTED = /"[^"]*"|'[^']*'/g;

/**
 * What the element matched by a compound ("li.comment", "[typeof~=x]:not(…)") must carry.
 * null when nothing is certain (escapes, unknown syntax, "*"): then every element is a candidate.
 */
function requirementOf(compound: string): Requirement | null {
  const match = SIMPLE_COMPOUND.exec(compound);
  if (!match) return null;
  const [, tag, rest] = match;
  const unquoted = rest.replace(QUOTED, '""');
  const className = COMPOUND_CLASS.exec(unquoted)?.[1];
  if (className) return { kind: 'class', token: className };
  const attributes = [...unquoted.matchAll(COMPOUND_ATTRIBUTE)].map((m) => m[1].toLowerCase());
  if (unquoted.includes('#')) attributes.push('id');
  // id and class are on most elements; any other attribute is rarer than the tag name.
  const rare = attributes.find((name) => name !== 'id' && name !== 'class');
  if (rare) return { kind: 'attribute', name: rare };
  if (tag) return { kind: 'tag', name: tag.toLowerCase() };
  if (attributes.length > 0) return { kind: 'attribute', name: attributes[0] };
  return null;
}

const prefilters = new Map<string, ((el: Element) => boolean) | null>();

/**
 * A cheap test every element matching the selector group passes (class substring, attribute
 * presence, tag name of each member's last compound), so that the CSS matcher only sees the few
 * elements that can match. null when some member allows any element.
 */
export function prefilterFor(selector: string): ((el: Element) => boolean) | null {
  if (prefilters.has(selector)) return prefilters.get(selector)!;
  const requirements: Requirement[] = [];
  for (const { compounds } of parseSelector(selector)) {
    const requirement = compounds ? requirementOf(compounds[compounds.length - 1]) : null;
    if (!requirement) {
      prefilters.set(selector, null);
      return null;
    }
    requirements.push(requirement);
  }
  const prefilter = compilePrefilter(requirements);
  prefilters.set(selector, prefilter);
  return prefilter;
}

function compilePrefilter(requirements: Requirement[]): (el: Element) => boolean {
  const classTokens = requirements.flatMap((r) => (r.kind === 'class' ? [r.token] : []));
  const attributes = requirements.flatMap((r) => (r.kind === 'attribute' ? [r.name] : []));
  const tags = new Set(requirements.flatMap((r) => (r.kind === 'tag' ? [r.name] : [])));
  // Runs on every element of a page, so plain loops rather than closures.
  return (el) => {
    const classes = el.attribs.class;
    if (classes !== undefined) {
      for (const token of classTokens) if (classes.includes(token)) return true;
    }
    if (tags.has(el.name)) return true;
    for (const name of attributes) if (el.attribs[name] !== undefined) return true;
    return false;
  };
}
