import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExtractedComment, IncomingComment } from '../domain/comment';
import { extractArticleMeta } from '../ingest/article-meta';
import { decodeHtml, extractComments } from '../ingest/extract';
import { extractSeedArticle, extractSeedComments, isSeedText } from '../ingest/seed-text';
import {
  describeWordPressError,
  readWordPressComments,
  WORDPRESS_VIAS,
  type WordPressComments,
  type WordPressVia,
} from '../ingest/wordpress/read-comments';
import { CliError, EXIT } from './runtime';

export interface SourceOptions {
  siteId?: string;
  /** The page's public URL when reading a saved file. */
  articleUrl?: string;
}

/** A saved page or a seed text dump → comments ready for the store. */
export async function commentsFromFile(file: string, options: SourceOptions = {}): Promise<IncomingComment[]> {
  const bytes = await fs.promises.readFile(file);
  const fallbackUrl = options.articleUrl ?? pathToFileURL(path.resolve(file)).href;
  return commentsFromBytes(bytes, { ...options, articleUrl: fallbackUrl });
}

export function commentsFromBytes(
  bytes: Buffer,
  options: SourceOptions & { articleUrl: string; contentType?: string },
): IncomingComment[] {
  const asText = bytes.toString('utf8');
  if (isSeedText(asText)) {
    const { title } = extractSeedArticle(asText);
    // Seed dumps number their comments per page, so the ids only mean something within the article.
    return toIncoming(extractSeedComments(asText), {
      siteId: options.siteId ?? siteOf(options.articleUrl),
      articleUrl: options.articleUrl,
      articleTitle: title,
      source: 'seed',
      scopeIds: true,
    });
  }
  const html = decodeHtml(bytes, options.contentType);
  const meta = extractArticleMeta(html, options.articleUrl);
  const articleUrl = options.articleUrl.startsWith('file:') && meta.url ? meta.url : options.articleUrl;
  return toIncoming(extractComments(html, articleUrl), {
    siteId: options.siteId ?? siteOf(articleUrl),
    articleUrl,
    articleTitle: meta.title,
    source: 'page',
    scopeIds: false,
  });
}

function siteOf(url: string): string {
  try {
    const host = new URL(url).hostname;
    return host || 'local';
  } catch {
    return 'local';
  }
}

export function toIncoming(
  extracted: ExtractedComment[],
  context: { siteId: string; articleUrl: string; articleTitle: string | null; source: IncomingComment['source']; scopeIds: boolean },
): IncomingComment[] {
  const scope = (id: string | null) => (id === null ? null : context.scopeIds ? `${context.articleUrl}#${id}` : id);
  return extracted
    .filter((c) => (c.type ?? 'comment') === 'comment' && c.text.trim().length > 0)
    .map((c) => ({
      siteId: context.siteId,
      articleUrl: context.articleUrl,
      articleTitle: context.articleTitle,
      sourceId: scope(c.id),
      parentSourceId: scope(c.parentId),
      author: c.author,
      text: c.text,
      publishedAt: c.publishedAt,
      source: context.source,
    }));
}

export interface WordPressOptions {
  wordpress?: string;
  post?: number;
  via?: WordPressVia;
}

export interface WordPressSource {
  site: string;
  post: number;
  via: WordPressVia;
}

export const WORDPRESS_OPTION_HELP = {
  wordpress: "read a post's comments from this WordPress site (with --post)",
  post: 'WordPress post id',
  via: "rest, feed or auto (default): the REST API, falling back to the post's comment feed when the API answers 401/403/404 or not JSON",
};

export function parsePostId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new CliError(`--post must be a positive integer, got "${value}"`, EXIT.usage);
  return id;
}

export function parseVia(value: string): WordPressVia {
  if (!(WORDPRESS_VIAS as readonly string[]).includes(value)) {
    throw new CliError(`--via must be one of ${WORDPRESS_VIAS.join(', ')}, got "${value}"`, EXIT.usage);
  }
  return value as WordPressVia;
}

/** The WordPress post the options name, or null when they name none; half-given options are a usage error. */
export function wordPressSourceOf(options: WordPressOptions): WordPressSource | null {
  if (Boolean(options.wordpress) !== (options.post !== undefined)) throw new CliError('--wordpress and --post go together', EXIT.usage);
  if (!options.wordpress || options.post === undefined) {
    if (options.via) throw new CliError('--via goes with --wordpress and --post', EXIT.usage);
    return null;
  }
  return { site: options.wordpress.replace(/\/+$/, ''), post: options.post, via: options.via ?? 'auto' };
}

export async function readWordPressSource(source: WordPressSource, allowPrivateNetworks: boolean): Promise<WordPressComments> {
  try {
    return await readWordPressComments(source.site, source.post, source.via, { allowPrivateNetworks });
  } catch (err) {
    throw new CliError(`cannot read WordPress comments of ${source.site} post ${source.post}: ${describeWordPressError(err)}`, EXIT.failure);
  }
}

/** Which path the comments came through, for the summary line. */
export function describeWordPressPath(result: WordPressComments): string {
  if (result.via === 'rest') return 'through the REST API';
  const fallback = result.restFailure ? `; REST API: ${result.restFailure}` : '';
  return `through the comment feed, which lists only the most recent comments${fallback}`;
}
