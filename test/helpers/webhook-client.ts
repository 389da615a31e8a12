import { signPayload } from '../../src/ingest/webhook/signature';

/** How one webhook post ended: an HTTP status, or the network error that stopped it. */
export type PostOutcome =
  | { sourceId: string; status: number; ms: number }
  | { sourceId: string; error: 'refused' | 'closed' | 'timeout' | string; ms: number };

export interface CommentPost {
  site: string;
  sourceId: string;
  text: string;
  articleUrl?: string;
}

/** One signed `POST /api/comments` as a CMS sends it (fetch keeps connections alive, as CMS clients do). */
export async function postSignedComment(baseUrl: string, secret: string, post: CommentPost, timeoutMs = 10_000): Promise<PostOutcome> {
  const raw = JSON.stringify({
    site: post.site,
    article: { url: post.articleUrl ?? `https://${post.site}.example/article`, title: 'Article' },
    comment: { id: post.sourceId, parentId: null, author: `reader-${post.sourceId}`, text: post.text, publishedAt: null },
  });
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}/api/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vigie-signature': signPayload(secret, raw) },
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { sourceId: post.sourceId, status: res.status, ms: performance.now() - started };
  } catch (err) {
    return { sourceId: post.sourceId, error: networkErrorKind(err), ms: performance.now() - started };
  }
}

function networkErrorKind(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError') return 'timeout';
  const code = e.cause?.code ?? e.code;
  if (code === 'ECONNREFUSED') return 'refused';
  // The server closed a kept-alive connection as the request went out (undici: "other side closed").
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') return 'closed';
  return code ?? e.cause?.name ?? e.name ?? 'unknown';
}
