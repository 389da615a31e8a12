import { loadHtml } from '../../../src/ingest/extract/load-html';
import { readNodeText } from '../../../src/ingest/extract/node-text';
import { SelectionOnDemand } from '../../../src/ingest/extract/selection-on-demand';

describe('SelectionOnDemand', () => {
  const $ = loadHtml(`<li id="c1"><div class="text">Bonjour <a class="reply">Répondre</a><svg><g class="reply"></g></svg></div>
    <ul><li id="c2"><span class="reply">x</span> y</li></ul></li><p class="reply">hors</p>`);
  const item = $('#c1')[0];
  const nested = $('#c2')[0];

  it('classifies the subtree a text walk can reach and answers like the selector', () => {
    const noise = new SelectionOnDemand('.reply');
    noise.cover([item], new Set([item, nested]));
    expect(noise.has($('#c1 .text > .reply')[0])).toBe(true);
    expect(noise.has($('#c1 .text')[0])).toBe(false);
    expect(readNodeText(item, { skip: noise })).toBe('Bonjour\ny');
  });

  it('still answers correctly for elements outside the covered subtrees', () => {
    const noise = new SelectionOnDemand('.reply');
    noise.cover([item], new Set([item, nested]));
    expect(noise.has($('p.reply')[0])).toBe(true);
    expect(noise.has($('#c2 .reply')[0])).toBe(true);
    expect(noise.has(nested)).toBe(false);
  });
});
