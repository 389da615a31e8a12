import type { MarkupRule } from '../rule';

/** SPIP forums: ul.forum > li.forum-fil, replies as nested li, text in .forum-texte. */
export const spipRule: MarkupRule = {
  name: 'spip',
  items: 'li.forum-fil, ul.forum li, .forum-fil li',
  text: ['.forum-texte', '[class*="forum-texte"]'],
  author: ['[class*="forum-qui"]', '.forum-auteur', '[class*="forum-auteur"]', '.forum-chapo small a', '.vcard'],
  date: ['time[datetime]', 'abbr.published[title]', '[itemprop="datePublished"]'],
  noise: ['.forum-titre', '.forum-chapo', '.forum-repondre', '[class*="forum-repondre"]'],
};
