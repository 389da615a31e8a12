import fs from 'node:fs';
import path from 'node:path';
import { parseCommentFeed } from '../../../src/ingest/wordpress/feed';
import { fetchWordPressComments } from '../../../src/ingest/wordpress/rest';
import { startLocalServer } from './local-server';

const fixture = (name: string) => fs.readFileSync(path.resolve(__dirname, '../../../fixtures/wordpress', name), 'utf8');

describe('fetchWordPressComments', () => {
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  const requested: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      requested.push(`${url.pathname}?${url.searchParams.toString()}`);
      if (url.pathname === '/blog/wp-json/wp/v2/comments' && url.searchParams.get('post') === '42') {
        const page = url.searchParams.get('page') ?? '1';
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'x-wp-total': '3', 'x-wp-totalpages': '2' });
        res.end(fixture(`rest-comments-post-42-page-${page}.json`));
      } else if (url.pathname === '/broken/wp-json/wp/v2/comments') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"code":"rest_no_route"}');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  afterAll(() => server.close());

  it('reads every page and threads replies by parent', async () => {
    const comments = await fetchWordPressComments(`${server.baseUrl}/blog`, 42, { allowPrivateNetworks: true });
    expect(requested.filter((r) => r.includes('post=42')).map((r) => new URLSearchParams(r.split('?')[1]).get('page'))).toEqual(['1', '2']);
    expect(requested[0]).toContain('per_page=100');
    expect(comments).toEqual([
      { id: '101', parentId: null, author: 'Camille', publishedAt: '2024-03-01T09:15:00Z', text: 'Merci pour cet article – très clair.\nDeuxième paragraphe <script>', depth: 1, type: 'comment' },
      { id: '102', parentId: '101', author: 'La rédaction', publishedAt: '2024-03-01T10:00:00Z', text: 'Merci Camille !', depth: 2, type: 'comment' },
      { id: '103', parentId: '102', author: 'Dominique', publishedAt: '2024-03-02T07:00:00Z', text: 'Je ne suis pas d’accord.', depth: 3, type: 'comment' },
    ]);
  });

  it('refuses private addresses by default and unexpected shapes with a clear code', async () => {
    await expect(fetchWordPressComments(`${server.baseUrl}/blog`, 42)).rejects.toMatchObject({ code: 'fetch_refused_private_address' });
    await expect(fetchWordPressComments(`${server.baseUrl}/broken`, 1, { allowPrivateNetworks: true })).rejects.toMatchObject({
      code: 'wordpress_bad_response',
    });
  });
});

describe('parseCommentFeed', () => {
  it('threads an Atom comment feed with thr:in-reply-to', () => {
    expect(parseCommentFeed(fixture('comments-post-42.atom.xml'))).toEqual([
      { id: '101', parentId: null, author: 'Camille', publishedAt: '2024-03-01T09:15:00Z', text: 'Merci pour cet article – très clair.', depth: 1, type: 'comment' },
      { id: '102', parentId: '101', author: 'La rédaction', publishedAt: '2024-03-01T10:00:00Z', text: 'Merci Camille ! <b>', depth: 2, type: 'comment' },
    ]);
  });

  it('reads an RSS 2.0 comment feed', () => {
    expect(parseCommentFeed(fixture('comments-post-42.rss.xml'))).toEqual([
      { id: '101', parentId: null, author: 'Camille', publishedAt: '2024-03-01T09:15:00.000Z', text: 'Merci pour cet article – très clair.', depth: 1, type: 'comment' },
    ]);
  });
});
