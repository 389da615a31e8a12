import * as cheerio from 'cheerio';
import type { Cheerio, CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import type { ExtractedComment } from '../../domain/comment';
import { AppError } from '../../lib/errors';
import { convertHtmlToText } from '../extract/load-html';
import { fetchText, type FetchOptions } from '../fetch-page';

const FEED_ROOTS = new Set(['feed', 'rss', 'rdf:RDF']);

/**
 * A post's comments from its comment feed, oldest first. WordPress serves it at
 * <site>/?p=<id>&feed=atom (redirected to <permalink>/feed/atom/ under pretty permalinks) and
 * lists only the latest comments there ("Syndication feeds show the most recent", 10 by default).
 */
export async function fetchWordPressFeedComments(siteUrl: string, postId: number, opts: FetchOptions = {}): Promise<ExtractedComment[]> {
  const url = commentFeedUrl(siteUrl, postId);
  const response = await fetchText(url, { accept: 'application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.8, */*;q=0.1', ...opts }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'fetch_http_error' && err.details?.status === 404) {
      throw new AppError('wordpress_post_not_found', 404, `No post ${postId} on this site (its comment feed answered HTTP 404)`, { cause: err });
    }
    throw err;
  });
  return sortOldestFirst(parseCommentFeed(response.text));
}

/** WordPress lists feed comments newest first; the other sources give them oldest first. */
function sortOldestFirst(comments: ExtractedComment[]): ExtractedComment[] {
  const times = comments.map((c) => Date.parse(c.publishedAt ?? ''));
  if (times.some(Number.isNaN)) return comments;
  return comments
    .map((comment, i) => ({ comment, time: times[i] }))
    .sort((a, b) => a.time - b.time)
    .map(({ comment }) => comment);
}

export function commentFeedUrl(siteUrl: string, postId: number): string {
  const url = new URL(siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`);
  url.search = new URLSearchParams({ p: String(postId), feed: 'atom', withcomments: '1' }).toString();
  return url.href;
}

/**
 * A per-post comment feed (WordPress /feed/ or ?feed=atom on a post) in Atom or RSS 2.0; replies
 * point to their parent with thr:in-reply-to. Anything else (an HTML page where a feed was
 * expected) is refused rather than read as a feed without comments.
 */
export function parseCommentFeed(xml: string): ExtractedComment[] {
  const $ = cheerio.load(xml, { xml: true });
  const root = $.root().children().first()[0];
  if (!root || !FEED_ROOTS.has(root.tagName)) {
    throw new AppError('wordpress_bad_response', 502, 'The comment feed URL did not answer an Atom or RSS feed');
  }
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
