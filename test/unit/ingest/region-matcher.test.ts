import type { Element } from 'domhandler';
import { listElements, loadHtml } from '../../../src/ingest/extract/load-html';
import { RegionMatcher } from '../../../src/ingest/extract/region-matcher';

const PAGE = `<div class="author-box"><ol id="list">
  <li id="c1" class="comment"><span class="name">Ana</span><p class="fn">outer</p>
    <div class="author"><b class="name">Ana bis</b></div>
    <ol><li id="c2" class="comment"><div class="author"><span class="name">Léo</span></div><p class="fn">inner</p></li></ol>
  </li>
  <li id="c3" class="comment"><p class="fn">third</p><em>x</em></li>
</ol></div>`;

describe('RegionMatcher', () => {
  const $ = loadHtml(PAGE);
  const byId = (id: string) => $(`#${id}`)[0] as Element;
  const items = new Set(['c1', 'c2', 'c3'].map(byId));
  const owned = new RegionMatcher(listElements(byId('list'))).ownedBy(items);
  const texts = (els: Element[]) => els.map((el) => $(el).text());

  it('gives each comment the matches it owns, not those of a nested reply, in document order', () => {
    expect(texts(owned.find(byId('c1'), '.fn'))).toEqual(['outer']);
    expect(texts(owned.find(byId('c2'), '.fn'))).toEqual(['inner']);
    expect(texts(owned.find(byId('c1'), '.name, .fn'))).toEqual(['Ana', 'outer', 'Ana bis']);
  });

  it('keeps the ancestors of a descendant selector within the comment, itself included, as $(comment).find does', () => {
    // .author-box encloses every comment, so an unscoped ".author-box .name" would match Ana.
    expect(texts(owned.find(byId('c1'), '.author-box .name'))).toEqual([]);
    expect(texts(owned.find(byId('c1'), '.author .name'))).toEqual(['Ana bis']);
    expect(texts(owned.find(byId('c2'), '.author .name'))).toEqual(['Léo']);
    expect(texts(owned.find(byId('c3'), 'li .fn'))).toEqual(['third']);
    for (const id of ['c1', 'c2', 'c3']) {
      for (const selector of ['.author-box .name', '.author .name', 'li .fn', 'ol li .fn', '.comment .name', 'li > .fn', 'p + em']) {
        const viaFind = $(byId(id)).find(selector).toArray().filter((el) => owner(el, items) === byId(id));
        expect([id, selector, owned.find(byId(id), selector)]).toEqual([id, selector, viaFind]);
      }
    }
  });
});

function owner(el: Element, items: ReadonlySet<Element>): Element | null {
  for (let node = el.parent; node; node = node.parent) if (items.has(node as Element)) return node as Element;
  return null;
}
