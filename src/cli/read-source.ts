import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExtractedComment, IncomingComment } from '../domain/comment';
import { extractArticleMeta } from '../ingest/article-meta';
import { decodeHtml, extractComments } from '../ingest/extract';
import { extractSeedArticle, extractSeedComments, isSeedText } from '../ingest/seed-text';

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
