import iconv from 'iconv-lite';
import { fetchPage, isPrivateAddress } from '../../../src/ingest/fetch-page';
import { startLocalServer } from './local-server';

describe('fetchPage', () => {
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  const allow = { allowPrivateNetworks: true };

  beforeAll(async () => {
    server = await startLocalServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=windows-1252' });
        res.end(iconv.encode('<p>Déjà “vu”</p>', 'windows-1252'));
      } else if (path.startsWith('/hop/')) {
        const n = Number(path.slice(5));
        res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : '/page' });
        res.end();
      } else if (path === '/to-loopback') {
        res.writeHead(301, { location: 'http://127.0.0.1:9/secret' });
        res.end();
      } else if (path === '/huge') {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 50 && res.write(chunk)) sent += 1;
          if (sent < 50) res.once('drain', pump);
          else res.end();
        };
        pump();
      } else if (path === '/slow') {
        setTimeout(() => res.end('late'), 2000);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  afterAll(() => server.close());

  it('fetches and decodes a page with its declared charset', async () => {
    const page = await fetchPage(`${server.baseUrl}/page`, allow);
    expect(page).toMatchObject({ finalUrl: `${server.baseUrl}/page`, html: '<p>Déjà “vu”</p>' });
    expect(page.contentType).toMatch(/windows-1252/);
  });

  it('follows redirects up to the limit', async () => {
    await expect(fetchPage(`${server.baseUrl}/hop/2`, allow)).resolves.toMatchObject({ finalUrl: `${server.baseUrl}/page` });
    await expect(fetchPage(`${server.baseUrl}/hop/5`, { ...allow, maxRedirects: 3 })).rejects.toMatchObject({ code: 'fetch_too_many_redirects' });
  });

  it('aborts bodies past the size cap and slow servers past the timeout', async () => {
    await expect(fetchPage(`${server.baseUrl}/huge`, { ...allow, maxBytes: 1024 * 1024 })).rejects.toMatchObject({ code: 'fetch_too_large' });
    await expect(fetchPage(`${server.baseUrl}/slow`, { ...allow, timeoutMs: 200 })).rejects.toMatchObject({ code: 'fetch_timeout' });
  });

  it('refuses loopback by default, directly and through a redirect', async () => {
    await expect(fetchPage(`${server.baseUrl}/page`)).rejects.toMatchObject({ code: 'fetch_refused_private_address' });
    await expect(fetchPage('http://localhost:9/')).rejects.toMatchObject({ code: 'fetch_refused_private_address' });
    await expect(fetchPage(`${server.baseUrl}/to-loopback`, { allowPrivateNetworks: false })).rejects.toMatchObject({
      code: 'fetch_refused_private_address',
    });
  });

  it('refuses other schemes and HTTP errors with clear codes', async () => {
    await expect(fetchPage('file:///etc/passwd')).rejects.toMatchObject({ code: 'fetch_unsupported_scheme' });
    await expect(fetchPage(`${server.baseUrl}/missing`, allow)).rejects.toMatchObject({ code: 'fetch_http_error' });
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '::1', '::', 'fe80::1', 'fd00::1', 'fc12::3', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1',
  ])('refuses %s', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows %s', (address) =>
    expect(isPrivateAddress(address)).toBe(false));
});
