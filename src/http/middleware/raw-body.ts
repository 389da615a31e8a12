import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError, badRequest, payloadTooLarge } from '../../lib/errors';

const TOO_LARGE = 'Request body is too large';

/**
 * The request body as bytes, at most `limit` of them once decoded (413 beyond), for handlers
 * that must see exactly what was signed. What `express.raw()` does for the webhook, without its
 * per-request machinery: the webhook is the hot path. gzip, deflate and br bodies are decoded.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(payloadTooLarge(TOO_LARGE));
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  let stream: Readable = req;
  if (encoding === 'gzip') stream = req.pipe(zlib.createGunzip());
  else if (encoding === 'deflate') stream = req.pipe(zlib.createInflate());
  else if (encoding === 'br') stream = req.pipe(zlib.createBrotliDecompress());
  else if (encoding !== 'identity') {
    return Promise.reject(new AppError('unsupported_media_type', 415, `Unsupported Content-Encoding: ${encoding}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: unknown) => {
      stream.removeAllListeners('data');
      // Stop reading: Node closes the connection if the rest of a large body never gets read.
      if (stream !== req) {
        req.unpipe();
        stream.destroy();
      }
      req.pause();
      reject(err);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) fail(payloadTooLarge(TOO_LARGE));
      else chunks.push(chunk);
    });
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    stream.once('error', (err) => fail(new AppError('bad_request', 400, 'Request body could not be read', { cause: err })));
    req.once('close', () => {
      if (!req.complete) fail(badRequest('Request aborted'));
    });
  });
}
