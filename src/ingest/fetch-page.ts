import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../lib/errors';
import { decodeHtml } from './extract/decode';

export const DEFAULT_FETCH_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

export interface FetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Only for tests and trusted intranets: allows loopback, private and link-local targets. */
  allowPrivateNetworks?: boolean;
  accept?: string;
  userAgent?: string;
}

export interface FetchedPage {
  finalUrl: string;
  html: string;
  contentType: string;
}

export interface FetchedText {
  finalUrl: string;
  text: string;
  contentType: string;
  headers: Headers;
}

/** Fetches an article page for extraction; every redirect hop is checked against the network policy. */
export async function fetchPage(url: string, opts: FetchOptions = {}): Promise<FetchedPage> {
  const { finalUrl, body, contentType } = await fetchBytes(url, { accept: 'text/html,application/xhtml+xml', ...opts });
  return { finalUrl, html: decodeHtml(body, contentType), contentType };
}

/** Same safety checks, for JSON APIs and feeds (UTF-8 unless the server says otherwise). */
export async function fetchText(url: string, opts: FetchOptions = {}): Promise<FetchedText> {
  const { finalUrl, body, contentType, headers } = await fetchBytes(url, opts);
  return { finalUrl, text: decodeHtml(body, contentType), contentType, headers };
}

async function fetchBytes(url: string, opts: FetchOptions) {
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS);
  let current = parseHttpUrl(url);
  try {
    for (let hop = 0; ; hop += 1) {
      await assertAllowedHost(current, opts.allowPrivateNetworks === true);
      const response = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: { accept: opts.accept ?? '*/*', 'user-agent': opts.userAgent ?? 'VigieBot/0.1 (+comment moderation)' },
      });
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel();
        if (hop >= maxRedirects) throw new AppError('fetch_too_many_redirects', 502, `More than ${maxRedirects} redirects`);
        current = parseHttpUrl(new URL(response.headers.get('location')!, current).href);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new AppError('fetch_http_error', 502, `Upstream answered HTTP ${response.status}`, { details: { status: response.status } });
      }
      const body = await readCapped(response, opts.maxBytes ?? DEFAULT_MAX_BYTES);
      return { finalUrl: current.href, body, contentType: response.headers.get('content-type') ?? '', headers: response.headers };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (signal.aborted) throw new AppError('fetch_timeout', 504, 'The page took too long to load', { cause: err });
    throw new AppError('fetch_failed', 502, 'The page could not be fetched', { cause: err });
  }
}

function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new AppError('fetch_invalid_url', 400, 'Not a valid URL', { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('fetch_unsupported_scheme', 400, 'Only http and https URLs can be fetched');
  }
  return url;
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

const tooLarge = (maxBytes: number) => new AppError('fetch_too_large', 413, `The page is larger than ${maxBytes} bytes`);

const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) FORBIDDEN.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32],
] as const) FORBIDDEN.addSubnet(net, prefix, 'ipv6');

/** True for loopback, private, link-local, unique-local, CGNAT, multicast and reserved addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return FORBIDDEN.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return FORBIDDEN.check(mapped[1], 'ipv4');
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return FORBIDDEN.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return FORBIDDEN.check(address, 'ipv6');
}

/**
 * Resolves the host and refuses private targets. The connection resolves again, so a DNS answer
 * that changes between the two lookups is not covered; a pinned-address agent would close that.
 */
async function assertAllowedHost(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new AppError('fetch_refused_private_address', 403, 'Refusing to fetch a private or local network address', {
      details: { host },
    });
  }
}
