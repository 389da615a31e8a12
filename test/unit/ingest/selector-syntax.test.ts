import fs from 'node:fs';
import path from 'node:path';
import { filterElements, listElements, loadHtml } from '../../../src/ingest/extract/load-html';
import { COMMON_NOISE } from '../../../src/ingest/extract/rule';
import { drupalRule } from '../../../src/ingest/extract/rules/drupal';
import { genericRule } from '../../../src/ingest/extract/rules/generic';
import { schemaOrgMicrodataRule } from '../../../src/ingest/extract/rules/schema-org';
import { spipRule } from '../../../src/ingest/extract/rules/spip';
import { wordpressRule } from '../../../src/ingest/extract/rules/wordpress';
import { parseSelector, prefilterFor } from '../../../src/ingest/extract/selector-syntax';

function findCorpusPages(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'ingest-corpus', 'pages');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`shared/ingest-corpus/pages not found above ${__dirname}`);
}

const RULE_SELECTORS = [wordpressRule, drupalRule, spipRule, schemaOrgMicrodataRule, genericRule].flatMap((rule) => [
  ...(rule.items ? [rule.items] : []),
  ...rule.text,
  ...rule.author,
  rule.date.join(', '),
  [...COMMON_NOISE, ...rule.noise].join(', '),
]);
const TRICKY_SELECTORS = [
  ':not(.comment)', 'li', '*', '.a\\:b', '[data-x!="y"]', 'DIV.Comment', '[CLASS*="comment"]', 'ul > li.comment',
  'h2 + p', 'a[href^="#comment-"]', 'a[href$=".pdf"]', '[title="a.b"]', '#comments', '[typeof~="sioc:Post"].comment', '.comment:has(> .reply)',
];
const TRICKY_PAGE = `<div id="comments" class="Comment comment a:b"><ul><li class="comment depth-1" data-x="z">
  <p>x</p><a href="#comment-1">1</a><a href="doc.pdf" title="a.b">pdf</a><h2>t</h2><p>after</p><div class="reply"></div></li></ul>
  <section typeof="sioc:Post sioct:Comment" class="comment"></section><DIV CLASS="Comment"></DIV></div>`;

describe('parseSelector', () => {
  it('splits groups at top-level commas and members at descendant combinators only', () => {
    expect(parseSelector('.a .b, [x="1, 2"] c, ul > li, .field:not(:has([p~="a b"]))')).toEqual([
      { selector: '.a .b', compounds: ['.a', '.b'] },
      { selector: '[x="1, 2"] c', compounds: ['[x="1, 2"]', 'c'] },
      { selector: 'ul > li', compounds: null },
      { selector: '.field:not(:has([p~="a b"]))', compounds: ['.field:not(:has([p~="a b"]))'] },
    ]);
  });
});

describe('prefilterFor', () => {
  it('derives what the matched element must carry, or nothing when any element could match', () => {
    const el = (name: string, attribs: Record<string, string>) => ({ name, attribs }) as never;
    const items = prefilterFor(wordpressRule.items!)!;
    expect(items(el('li', { class: 'comment even depth-1' }))).toBe(true);
    expect(items(el('div', { id: 'comment-3', 'data-comment-id': '3' }))).toBe(true);
    expect(items(el('li', { class: 'menu-item' }))).toBe(false);
    expect(prefilterFor(':not(.comment)')).toBeNull();
    expect(prefilterFor('.a, *')).toBeNull();
  });

  it('never rejects an element the selector matches (rule selectors and tricky ones, over the corpus)', () => {
    const dir = findCorpusPages();
    const pages = [...fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')), TRICKY_PAGE];
    let compared = 0;
    for (const html of pages) {
      const $ = loadHtml(html);
      const all = listElements($.root()[0]);
      for (const selector of [...RULE_SELECTORS, ...TRICKY_SELECTORS]) {
        const expected = $(all).filter(selector).toArray();
        expect(filterElements(all, selector)).toEqual(expected);
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
