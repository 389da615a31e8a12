import type { ExtractedComment } from '../../domain/comment';
import { AppError } from '../../lib/errors';
import type { FetchOptions } from '../fetch-page';
import { fetchWordPressFeedComments } from './feed';
import { fetchWordPressComments } from './rest';

export const WORDPRESS_VIAS = ['rest', 'feed', 'auto'] as const;
export type WordPressVia = (typeof WORDPRESS_VIAS)[number];

export interface WordPressComments {
  comments: ExtractedComment[];
  via: 'rest' | 'feed';
  /** Why auto mode left the REST API for the feed; null when it did not. */
  restFailure: string | null;
}

/** REST answers that mean "the API is off or hidden here", as opposed to the site being down. */
const REST_OFF_STATUSES = new Set([401, 403, 404]);

/**
 * A post's comments through the REST API (complete, paginated) or its comment feed (only the
 * latest comments, but served by sites that turn the API off). auto tries the API first and
 * falls back to the feed when the API is refused, missing or does not answer JSON.
 */
export async function readWordPressComments(
  siteUrl: string,
  postId: number,
  via: WordPressVia,
  opts: FetchOptions = {},
): Promise<WordPressComments> {
  if (via === 'feed') return { comments: await fetchWordPressFeedComments(siteUrl, postId, opts), via: 'feed', restFailure: null };
  try {
    return { comments: await fetchWordPressComments(siteUrl, postId, opts), via: 'rest', restFailure: null };
  } catch (restError) {
    if (via === 'rest' || !isRestOff(restError)) throw restError;
    const restFailure = describeWordPressError(restError);
    try {
      return { comments: await fetchWordPressFeedComments(siteUrl, postId, opts), via: 'feed', restFailure };
    } catch (feedError) {
      throw new AppError(
        'wordpress_unreadable',
        502,
        `REST API: ${restFailure}; comment feed: ${describeWordPressError(feedError)}`,
        { cause: feedError, details: { restError: errorCode(restError), feedError: errorCode(feedError) } },
      );
    }
  }
}

function isRestOff(err: unknown): boolean {
  if (!(err instanceof AppError)) return false;
  if (err.code === 'wordpress_bad_response') return true;
  return err.code === 'fetch_http_error' && REST_OFF_STATUSES.has(Number(err.details?.status));
}

/** One line for people: the HTTP status, the network error code (ECONNREFUSED, ENOTFOUND…) or the public message. */
export function describeWordPressError(err: unknown): string {
  if (!(err instanceof AppError)) return (err as Error)?.message ?? String(err);
  if (err.code === 'fetch_http_error') return `HTTP ${String(err.details?.status)}`;
  if (err.code === 'fetch_failed') {
    const reason = networkErrorReason(err.cause);
    return reason ? `site unreachable (${reason})` : 'site unreachable';
  }
  return err.publicMessage;
}

/** fetch() wraps the socket error: TypeError("fetch failed") caused by { code: "ECONNREFUSED" } or Error("bad port"). */
function networkErrorReason(cause: unknown): string | null {
  let reason: string | null = null;
  for (let current = cause, hops = 0; current && hops < 4; current = (current as { cause?: unknown }).cause, hops += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (typeof message === 'string' && message !== 'fetch failed') reason = message;
  }
  return reason;
}

function errorCode(err: unknown): string {
  return err instanceof AppError ? err.code : 'unexpected';
}
