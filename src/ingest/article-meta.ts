import { loadHtml } from './extract/load-html';

export interface ArticleMeta {
  url: string;
  title: string | null;
}

/** The article's canonical URL and title: link[rel=canonical], og:url, og:title, <title>. */
export function extractArticleMeta(html: string, pageUrl: string): ArticleMeta {
  const $ = loadHtml(html);
  const canonical = $('link[rel~="canonical" i]').attr('href') ?? $('meta[property="og:url"]').attr('content');
  const title = $('meta[property="og:title"]').attr('content') ?? $('title').first().text();
  return { url: resolveHttpUrl(canonical, pageUrl) ?? pageUrl, title: title?.replace(/\s+/g, ' ').trim() || null };
}

function resolveHttpUrl(href: string | undefined, base: string): string | null {
  if (!href?.trim()) return null;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
