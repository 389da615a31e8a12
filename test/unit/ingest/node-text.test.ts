import fs from 'node:fs';
import path from 'node:path';
import { listElements, loadHtml } from '../../../src/ingest/extract/load-html';
import { hasVisibleText, readNodeText } from '../../../src/ingest/extract/node-text';

const fixtures = path.resolve(__dirname, '../../../fixtures/pages');

describe('hasVisibleText', () => {
  it('agrees with readNodeText on every element of the fixture pages, with and without a skip list', () => {
    let checked = 0;
    for (const file of fs.readdirSync(fixtures)) {
      const $ = loadHtml(fs.readFileSync(path.join(fixtures, file), 'utf8'));
      const elements = listElements($.root()[0]);
      const skip = new Set(elements.filter((_, i) => i % 3 === 0));
      for (const el of elements) {
        expect(hasVisibleText(el)).toBe(readNodeText(el).length > 0);
        expect(hasVisibleText(el, { skip })).toBe(readNodeText(el, { skip }).length > 0);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('does not count zero-width or non-breaking spaces as text', () => {
    const $ = loadHtml('<div id="a">\u200b\u00a0 <span> </span>\n</div><div id="b">\u200bx</div>');
    expect(hasVisibleText($('#a')[0])).toBe(false);
    expect(hasVisibleText($('#b')[0])).toBe(true);
  });
});
