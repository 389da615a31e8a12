import { type HtmlPage, renderHtml } from './load-html';
import { findCommentContainers } from './rules/generic';

const SCRIPT_LOADER = /data-(?:aj-)?(?:uri|src|url|endpoint)|disqus|livefyre|coral|commento|hyvor|viafoura|ajax|fetch\(/i;

/** Why a page yielded no comments, for debug logs: no container at all, or an empty one filled by JavaScript. */
export function explainNoComments(page: HtmlPage): string {
  const containers = findCommentContainers(page);
  if (containers.length === 0) return 'no comment markup found';
  const jsLoaded = containers.some((el) => SCRIPT_LOADER.test(renderHtml(el)));
  const names = containers.slice(0, 3).map((el) => el.attribs.id ?? el.attribs.class).join(', ');
  return jsLoaded
    ? `comment container (${names}) holds only a script or placeholder: comments load by JavaScript`
    : `comment container (${names}) holds no comments`;
}
