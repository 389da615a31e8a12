import iconv from 'iconv-lite';

/** Only the start of a page is searched for a meta charset, as browsers do (1024 bytes, we allow more). */
const META_SNIFF_BYTES = 4096;

/**
 * Bytes of an HTML page to text: a byte-order mark wins, then the HTTP charset, then
 * <meta charset> / http-equiv, then UTF-8. Unknown charsets fall back to windows-1252 when the
 * bytes are not valid UTF-8.
 */
export function decodeHtml(bytes: Buffer, contentTypeHeader?: string): string {
  const bom = readBomCharset(bytes);
  if (bom) return iconv.decode(bytes.subarray(bom.length), bom.charset);
  const declared = readCharsetParameter(contentTypeHeader) ?? readMetaCharset(bytes);
  const charset = declared && iconv.encodingExists(declared) ? normaliseCharset(declared) : null;
  if (charset) return iconv.decode(bytes, charset);
  return isValidUtf8(bytes) ? bytes.toString('utf8') : iconv.decode(bytes, 'windows-1252');
}

function readBomCharset(bytes: Buffer): { charset: string; length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { charset: 'utf8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { charset: 'utf16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { charset: 'utf16be', length: 2 };
  return null;
}

export function readCharsetParameter(contentType: string | undefined): string | null {
  const match = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '');
  return match ? match[1] : null;
}

function readMetaCharset(bytes: Buffer): string | null {
  // latin1 maps bytes one to one, so ASCII markup reads the same whatever the real charset.
  const head = bytes.subarray(0, META_SNIFF_BYTES).toString('latin1');
  const direct = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return direct ? direct[1] : null;
}

/** Browsers treat latin1/ISO-8859-1 labels as windows-1252 (the WHATWG encoding standard). */
function normaliseCharset(label: string): string {
  const lower = label.toLowerCase();
  if (['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'us-ascii', 'ascii'].includes(lower)) return 'windows-1252';
  return lower;
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
