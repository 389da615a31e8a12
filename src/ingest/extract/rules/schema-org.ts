import type { Element } from 'domhandler';
import type { HtmlPage } from '../load-html';
import type { MarkupRule } from '../rule';

const COMMENT_TYPE = /^https?:\/\/(www\.)?schema\.org\/(comment|usercomments|review)$/i;

/** schema.org microdata; type URLs are matched in any case and with either scheme. */
export const schemaOrgMicrodataRule: MarkupRule = {
  name: 'schema-org-microdata',
  findItems: findMicrodataComments,
  text: [
    '[itemprop~="text"]', '[itemprop~="commentText"]', '[itemprop~="reviewBody"]',
    '[itemprop~="description"]',
  ],
  author: ['[itemprop~="author"] [itemprop~="name"]', '[itemprop~="creator"] [itemprop~="name"]', '[itemprop~="author"]', '[itemprop~="creator"]'],
  date: ['[itemprop~="dateCreated"]', '[itemprop~="datePublished"]', '[itemprop~="commentTime"]', 'time[datetime]'],
  noise: ['[itemprop~="author"]', 'meta'],
};

function findMicrodataComments(page: HtmlPage): Element[] {
  return page.elements.filter((el) => {
    const itemtype = el.attribs.itemtype;
    return itemtype !== undefined && itemtype.trim().split(/\s+/).some((t) => COMMENT_TYPE.test(t));
  });
}
