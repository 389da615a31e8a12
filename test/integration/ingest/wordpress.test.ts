import fs from 'node:fs';
import path from 'node:path';
import { commentFeedUrl, parseCommentFeed } from '../../../src/ingest/wordpress/feed';
import { describeWordPressError, readWordPressComments } from '../../../src/ingest/wordpress/read-comments';
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

describe('readWordPressComments: REST API, comment feed, or the API falling back to the feed', () => {
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  const requested: string[] = [];
  const allow = { allowPrivateNetworks: true };
  const post43 = [
    { id: '201', parentId: null, author: 'Marc', publishedAt: '2024-03-05T09:30:00Z', text: 'D’où viennent ces chiffres ?', depth: 1, type: 'comment' },
    { id: '202', parentId: null, author: 'Nadia', publishedAt: '2024-03-05T12:03:40Z', text: 'Enfin un article qui explique sans jargon.', depth: 1, type: 'comment' },
    { id: '203', parentId: '201', author: 'Lucie', publishedAt: '2024-03-05T18:42:11Z', text: '@Marc : les chiffres sont dans l’annexe 2.', depth: 2, type: 'comment' },
  ];

  // Each first path segment is a site configured differently; feeds are served as WordPress does.
  beforeAll(async () => {
    server = await startLocalServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      requested.push(`${url.pathname}${url.search}`);
      const [, site, ...rest] = url.pathname.split('/');
      const restPath = rest.join('/');
      const isFeed = restPath === '' && url.searchParams.get('feed') === 'atom' && url.searchParams.get('p') === '43';
      const atom = () => {
        res.writeHead(200, { 'content-type': 'application/atom+xml; charset=UTF-8' });
        res.end(fixture('comments-post-43.atom.xml'));
      };
      const notFoundPage = () => {
        res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
        res.end('<!doctype html><title>Page non trouvée</title><h1>Oups ! Cette page est introuvable.</h1>');
      };
      if (site === 'open' && restPath === 'wp-json/wp/v2/comments') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-wp-totalpages': '2' });
        res.end(fixture(`rest-comments-post-42-page-${url.searchParams.get('page') ?? '1'}.json`));
      } else if (site === 'locked' && restPath.startsWith('wp-json/')) {
        res.writeHead(401, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(fixture('rest-disabled-401.json'));
      } else if (site === 'locked' && isFeed) {
        atom();
      } else if (site === 'pretty' && isFeed) {
        res.writeHead(301, { location: '/pretty/2024/03/budget-reforme/feed/atom/' });
        res.end();
      } else if (site === 'pretty' && restPath === '2024/03/budget-reforme/feed/atom/') {
        atom();
      } else if (site === 'cached' && restPath.startsWith('wp-json/')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Accueil</title><p>Bienvenue</p>');
      } else if (site === 'cached' && isFeed) {
        atom();
      } else if (site === 'nofeeds' && restPath === '' && url.searchParams.has('feed')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body><article><h1>Budget</h1></article></body></html>');
      } else if (site === 'broken' && restPath.startsWith('wp-json/')) {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<h1>Erreur critique</h1>');
      } else {
        notFoundPage();
      }
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    requested.length = 0;
  });

  it('uses the REST API when it answers, and never asks for the feed', async () => {
    const result = await readWordPressComments(`${server.baseUrl}/open`, 42, 'auto', allow);
    expect(result).toMatchObject({ via: 'rest', restFailure: null });
    expect(result.comments.map((c) => c.id)).toEqual(['101', '102', '103']);
    expect(requested.some((r) => r.includes('feed='))).toBe(false);
  });

  it('falls back to the comment feed when the API answers 401, oldest comment first and threaded', async () => {
    const result = await readWordPressComments(`${server.baseUrl}/locked`, 43, 'auto', allow);
    expect(result).toEqual({ via: 'feed', restFailure: 'HTTP 401', comments: post43 });
    expect(requested).toEqual([
      expect.stringMatching(/^\/locked\/wp-json\/wp\/v2\/comments\?post=43&/),
      '/locked/?p=43&feed=atom&withcomments=1',
    ]);
  });

  it('follows the redirect to the pretty-permalink feed (/feed/atom/) after a 404 from the API', async () => {
    const result = await readWordPressComments(`${server.baseUrl}/pretty/`, 43, 'auto', allow);
    expect(result).toMatchObject({ via: 'feed', restFailure: 'HTTP 404' });
    expect(result.comments).toEqual(post43);
  });

  it('falls back when the API answers something that is not JSON', async () => {
    const result = await readWordPressComments(`${server.baseUrl}/cached`, 43, 'auto', allow);
    expect(result.via).toBe('feed');
    expect(result.restFailure).toMatch(/did not answer JSON/);
  });

  it('reads only the feed with via=feed and only the API with via=rest', async () => {
    await expect(readWordPressComments(`${server.baseUrl}/locked`, 43, 'feed', allow)).resolves.toMatchObject({ via: 'feed', restFailure: null });
    expect(requested).toEqual(['/locked/?p=43&feed=atom&withcomments=1']);
    await expect(readWordPressComments(`${server.baseUrl}/locked`, 43, 'rest', allow)).rejects.toMatchObject({
      code: 'fetch_http_error',
      details: { status: 401 },
    });
  });

  it('does not hide a server error behind the feed', async () => {
    await expect(readWordPressComments(`${server.baseUrl}/broken`, 43, 'auto', allow)).rejects.toMatchObject({
      code: 'fetch_http_error',
      details: { status: 500 },
    });
    expect(requested.some((r) => r.includes('feed='))).toBe(false);
  });

  it('names both failures when neither path works, and an unknown post as such', async () => {
    const failure = await readWordPressComments(`${server.baseUrl}/gone`, 43, 'auto', allow).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'wordpress_unreadable' });
    expect(describeWordPressError(failure)).toBe('REST API: HTTP 404; comment feed: No post 43 on this site (its comment feed answered HTTP 404)');
  });

  it('refuses an HTML page where the feed should be', async () => {
    await expect(readWordPressComments(`${server.baseUrl}/nofeeds`, 43, 'feed', allow)).rejects.toMatchObject({
      code: 'wordpress_bad_response',
      publicMessage: 'The comment feed URL did not answer an Atom or RSS feed',
    });
  });

  it('says when the site cannot be reached, without trying the feed', async () => {
    const closed = await startLocalServer(() => undefined);
    await closed.close();
    const failure = await readWordPressComments(closed.baseUrl, 43, 'auto', allow).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'fetch_failed' });
    expect(describeWordPressError(failure)).toBe('site unreachable (ECONNREFUSED)');
  });
});

describe('commentFeedUrl', () => {
  it('asks WordPress for the post\'s Atom comment feed, under the site path', () => {
    expect(commentFeedUrl('https://blog.example/journal', 43)).toBe('https://blog.example/journal/?p=43&feed=atom&withcomments=1');
    expect(commentFeedUrl('https://blog.example/', 7)).toBe('https://blog.example/?p=7&feed=atom&withcomments=1');
  });
});
