import type { ExtractedComment } from '../../../domain/comment';
import { applyRule } from '../apply-rule';
import { extractJsonLdComments } from '../json-ld';
import type { HtmlPage } from '../load-html';
import { drupalRule } from './drupal';
import { genericRule } from './generic';
import { schemaOrgMicrodataRule } from './schema-org';
import { spipRule } from './spip';
import { wordpressRule } from './wordpress';

export interface CommentExtractor {
  name: string;
  extract: (page: HtmlPage) => ExtractedComment[];
}

/** Tried in order; the first that finds comments wins. Specific families before heuristics. */
export const COMMENT_EXTRACTORS: readonly CommentExtractor[] = [
  ...[wordpressRule, drupalRule, spipRule, schemaOrgMicrodataRule].map((rule) => ({
    name: rule.name,
    extract: (page: HtmlPage) => applyRule(page, rule),
  })),
  { name: 'json-ld', extract: extractJsonLdComments },
  { name: genericRule.name, extract: (page: HtmlPage) => applyRule(page, genericRule) },
];
