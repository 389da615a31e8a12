import * as cheerio from 'cheerio';
import type { Cheerio, CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import type { ExtractedComment } from '../../domain/comment';
import { convertHtmlToText } from '../extract/load-html';

/**
 * A per-post comment feed (WordPress /feed/ or ?feed=atom on a post) in Atom or RSS 2.0; replies
 * point to their parent with thr:in-reply-to.
 */
export function parseCommentFeed(xml: string): ExtractedComment[] {
  const $ = cheerio.load(xml, { xml: true });
  const entries = $('entry').length > 0 ? $('entry').toArray() : $('item').toArray();
  const comments = entries.map((entry) => readEntry($, $(entry)));
  const ids = new Set(comments.map((c) => c.id));
  const byId = new Map(comments.map((c) => [c.id, c]));
  for (const comment of comments) {
    if (comment.parentId && !ids.has(comment.parentId)) comment.parentId = null;
  }
  for (const comment of comments) {
    let depth = 1;
    const seen = new Set<string>();
    for (let p = comment.parentId ? byId.get(comment.parentId) : undefined; p && !seen.has(p.id!); p = p.parentId ? byId.get(p.parentId) : undefined) {
      seen.add(p.id!);
      depth += 1;
    }
    comment.depth = depth;
  }
  return comments;
}

function readEntry($: CheerioAPI, entry: Cheerio<Element>): ExtractedComment {
  const child = (name: string) => entry.children().filter((_, el) => el.tagName === name).first();
  const id = child('id').text().trim() || child('guid').text().trim() || child('link').attr('href') || child('link').text().trim();
  const inReplyTo = entry.children().filter((_, el) => el.tagName === 'thr:in-reply-to').first();
  const parentRef = inReplyTo.attr('ref') ?? null;
  const body = child('content').text() || child('content:encoded').text() || child('summary').text() || child('description').text();
  const author = child('author').children('name').text().trim() || child('dc:creator').text().trim() || null;
  const date = child('published').text().trim() || child('updated').text().trim() || toIso(child('pubDate').text().trim());
  return {
    id: readCommentId(id),
    parentId: parentRef ? readCommentId(parentRef) : null,
    author,
    publishedAt: date || null,
    text: convertHtmlToText(body),
    depth: 1,
    type: 'comment',
  };
}

/** WordPress feed ids look like ".../post/#comment-123" or "...?p=1#comment-123"; keep the number. */
function readCommentId(ref: string): string {
  const match = /comment-(\d+)\s*$/.exec(ref);
  return match ? match[1] : ref;
}

function toIso(rfc822: string): string | null {
  const time = Date.parse(rfc822);
  return rfc822 && !Number.isNaN(time) ? new Date(time).toISOString() : null;
}
