import type { Element } from 'domhandler';
import type { ExtractedComment } from '../../domain/comment';
import { convertHtmlToText, type HtmlPage } from './load-html';
import { readNodeText } from './node-text';

const COMMENT_TYPE = /^(?:https?:\/\/(?:www\.)?schema\.org\/)?(?:comment|usercomments)$/i;

interface Pending {
  value: unknown;
  parent: ExtractedComment | null;
}

/** schema.org Comment objects in JSON-LD scripts, threaded through their "comment" arrays. */
export function extractJsonLdComments(page: HtmlPage): ExtractedComment[] {
  const comments: ExtractedComment[] = [];
  for (const script of page.elements.filter(isJsonLdScript)) {
    const data = parseJson(readNodeText(script, { raw: true }));
    if (data === undefined) continue;
    const stack: Pending[] = [{ value: data, parent: null }];
    while (stack.length > 0) {
      const { value, parent } = stack.pop()!;
      const children: Pending[] = [];
      if (Array.isArray(value)) {
        for (const v of value) children.push({ value: v, parent });
      } else if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        const comment = isCommentObject(record) ? readComment(record, parent) : null;
        if (comment) comments.push(comment);
        for (const v of Object.values(record)) {
          if (v && typeof v === 'object') children.push({ value: v, parent: comment ?? parent });
        }
      }
      for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]);
    }
  }
  return comments;
}

/** script[type="application/ld+json"]; HTML compares type values without case. */
function isJsonLdScript(el: Element): boolean {
  return el.name === 'script' && el.attribs.type?.toLowerCase() === 'application/ld+json';
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function isCommentObject(record: Record<string, unknown>): boolean {
  const type = record['@type'];
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => typeof t === 'string' && COMMENT_TYPE.test(t));
}

function readComment(record: Record<string, unknown>, parent: ExtractedComment | null): ExtractedComment | null {
  const raw = firstString(record.text, record.commentText, record.description);
  const text = raw ? convertHtmlToText(raw) : '';
  if (!text) return null;
  return {
    id: firstString(record.identifier, record['@id'], record.url),
    parentId: parent?.id ?? null,
    author: readAuthor(record.author ?? record.creator),
    publishedAt: firstString(record.dateCreated, record.datePublished, record.commentTime),
    text,
    depth: parent ? parent.depth + 1 : 1,
    type: 'comment',
  };
}

function readAuthor(value: unknown): string | null {
  if (Array.isArray(value)) return readAuthor(value[0]);
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object') return firstString((value as Record<string, unknown>).name);
  return null;
}

function firstString(...values: unknown[]): string | null {
  for (const v of values) {
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return null;
}
