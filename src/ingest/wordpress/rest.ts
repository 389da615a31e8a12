import { z } from 'zod';
import type { ExtractedComment } from '../../domain/comment';
import { AppError } from '../../lib/errors';
import { convertHtmlToText } from '../extract/load-html';
import { fetchText, type FetchOptions } from '../fetch-page';

/** WordPress caps per_page at 100; this bounds a runaway pagination header. */
export const MAX_REST_PAGES = 50;

const restCommentSchema = z.object({
  id: z.number(),
  parent: z.number().default(0),
  author_name: z.string().nullish(),
  date_gmt: z.string().nullish(),
  type: z.string().nullish(),
  content: z.object({ rendered: z.string() }),
});

type RestComment = z.infer<typeof restCommentSchema>;

/** All approved comments of a post through /wp-json/wp/v2/comments, page by page, threaded by "parent". */
export async function fetchWordPressComments(siteUrl: string, postId: number, opts: FetchOptions = {}): Promise<ExtractedComment[]> {
  const raw: RestComment[] = [];
  let totalPages = 1;
  for (let page = 1; page <= Math.min(totalPages, MAX_REST_PAGES); page += 1) {
    const url = new URL('wp-json/wp/v2/comments', siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`);
    url.search = new URLSearchParams({ post: String(postId), per_page: '100', page: String(page), orderby: 'date_gmt', order: 'asc' }).toString();
    const response = await fetchText(url.href, { accept: 'application/json', ...opts });
    const parsed = z.array(restCommentSchema).safeParse(parseJson(response.text));
    if (!parsed.success) throw new AppError('wordpress_bad_response', 502, 'The WordPress comments API answered in an unexpected shape');
    raw.push(...parsed.data);
    totalPages = Number(response.headers.get('x-wp-totalpages') ?? '1') || 1;
  }
  return threadRestComments(raw);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new AppError('wordpress_bad_response', 502, 'The WordPress comments API did not answer JSON', { cause });
  }
}

/** Depth from the parent chain; a parent missing from the answer (unapproved) makes a top-level comment. */
function threadRestComments(raw: RestComment[]): ExtractedComment[] {
  const byId = new Map(raw.map((c) => [c.id, c]));
  const depthOf = (comment: RestComment): number => {
    let depth = 1;
    const seen = new Set<number>();
    for (let p = byId.get(comment.parent); p && !seen.has(p.id); p = byId.get(p.parent)) {
      seen.add(p.id);
      depth += 1;
    }
    return depth;
  };
  return raw.map((c) => ({
    id: String(c.id),
    parentId: c.parent && byId.has(c.parent) ? String(c.parent) : null,
    author: c.author_name?.trim() || null,
    publishedAt: c.date_gmt ? `${c.date_gmt.replace(/Z$/, '')}Z` : null,
    text: convertHtmlToText(c.content.rendered),
    depth: depthOf(c),
    type: c.type === 'pingback' || c.type === 'trackback' ? c.type : 'comment',
  }));
}
