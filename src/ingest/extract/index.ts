import type { ExtractedComment } from '../../domain/comment';
import { type Logger, silentLogger } from '../../lib/logger';
import { explainNoComments } from './explain-empty';
import { HtmlPage, parseHtmlDocument } from './load-html';
import { COMMENT_EXTRACTORS } from './rules';

export { decodeHtml } from './decode';

/**
 * Pages are cut to this many characters before parsing; real article pages are under 1 MB, so
 * anything larger is a generated or hostile page and parsing it whole would stall a worker.
 */
export const MAX_HTML_CHARS = 10 * 1024 * 1024;

export interface ExtractOptions {
  logger?: Logger;
}

let defaultLogger: Logger | undefined;

/** Reader comments of an article page, in document order. Pure: no network, no globals. */
export function extractComments(html: string, pageUrl: string, opts: ExtractOptions = {}): ExtractedComment[] {
  const logger = opts.logger ?? (defaultLogger ??= silentLogger());
  let input = html;
  if (input.length > MAX_HTML_CHARS) {
    logger.warn({ pageUrl, chars: html.length, max: MAX_HTML_CHARS }, 'page truncated before extraction');
    input = input.slice(0, MAX_HTML_CHARS);
  }
  const page = new HtmlPage(parseHtmlDocument(input));
  for (const extractor of COMMENT_EXTRACTORS) {
    const comments = extractor.extract(page);
    if (comments.length > 0) {
      logger.debug({ pageUrl, rule: extractor.name, count: comments.length }, 'comments extracted');
      return comments;
    }
  }
  // The reason costs a serialisation of the comment containers: only worth it when someone reads it.
  if (logger.isLevelEnabled?.('debug') !== false) {
    logger.debug({ pageUrl, reason: explainNoComments(page) }, 'no comments extracted');
  }
  return [];
}
