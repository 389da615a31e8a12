import { extractArticleMeta } from '../../../src/ingest/article-meta';

describe('extractArticleMeta', () => {
  it('prefers the canonical link, resolved against the page URL, and og:title', () => {
    const html = `<html><head><title>Titre | Site</title><link rel="canonical" href="/2024/article?x=1">
      <meta property="og:url" content="https://other.example/og"><meta property="og:title" content="  Le titre  "></head></html>`;
    expect(extractArticleMeta(html, 'https://news.example/page?utm=1')).toEqual({
      url: 'https://news.example/2024/article?x=1',
      title: 'Le titre',
    });
  });

  it('falls back to og:url, then <title>, then the page URL', () => {
    expect(extractArticleMeta('<meta property="og:url" content="https://a.example/p"><title> T </title>', 'https://b.example/'))
      .toEqual({ url: 'https://a.example/p', title: 'T' });
    expect(extractArticleMeta('<link rel="canonical" href="javascript:alert(1)">', 'https://b.example/x'))
      .toEqual({ url: 'https://b.example/x', title: null });
  });
});
