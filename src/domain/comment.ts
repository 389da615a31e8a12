export const COMMENT_SOURCES = ['webhook', 'page', 'wordpress', 'seed', 'api'] as const;
export type CommentSource = (typeof COMMENT_SOURCES)[number];

export const COMMENT_STATUSES = ['pending', 'scored', 'failed'] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];

/** What an extractor (HTML page, seed dump, WordPress API, feed) finds on a page. */
export interface ExtractedComment {
  /** The site's own comment id, when the markup has one. */
  id: string | null;
  parentId: string | null;
  author: string | null;
  /** ISO-8601 when the markup carries a machine-readable date. */
  publishedAt: string | null;
  text: string;
  /** 1 = top level. */
  depth: number;
  type?: 'comment' | 'pingback' | 'trackback';
}

/** A comment as Vigie accepts it from any source, before it is stored. */
export interface IncomingComment {
  siteId: string;
  articleUrl: string;
  articleTitle: string | null;
  sourceId: string | null;
  parentSourceId: string | null;
  author: string | null;
  text: string;
  publishedAt: string | null;
  source: CommentSource;
}

/** A stored comment: the system of record. */
export interface StoredComment extends IncomingComment {
  id: string;
  articleId: string;
  parentId: string | null;
  textHash: string;
  status: CommentStatus;
  createdAt: string;
}
