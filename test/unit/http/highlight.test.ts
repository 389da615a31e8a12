import { highlightSpans } from '../../../src/http/views/highlight';

describe('highlightSpans', () => {
  it('marks spans over the original text and escapes every segment', () => {
    const text = 'Tu es un <b>idiot</b> & un lâche';
    const start = text.indexOf('<b>idiot');
    expect(highlightSpans(text, [{ start, end: start + 12, label: 'insult', source: 'lexicon' }]).value).toBe(
      'Tu es un <mark class="hl hl-insult" title="insult (lexicon)">&lt;b&gt;idiot&lt;/b&gt;</mark> &amp; un lâche',
    );
  });

  it('splits overlapping spans at every boundary', () => {
    const out = highlightSpans('abcdef', [
      { start: 0, end: 4, label: 'insult', source: 'lexicon' },
      { start: 2, end: 6, label: 'threat', source: 'model' },
    ]).value;
    expect(out).toBe(
      '<mark class="hl hl-insult" title="insult (lexicon)">ab</mark>' +
        '<mark class="hl hl-insult" title="insult, threat (lexicon, model)">cd</mark>' +
        '<mark class="hl hl-threat" title="threat (model)">ef</mark>',
    );
  });

  it('ignores spans outside the text or empty, and clamps the rest', () => {
    expect(highlightSpans('<x>', [{ start: 5, end: 9, label: 'insult', source: 'model' }]).value).toBe('&lt;x&gt;');
    expect(highlightSpans('abc', [{ start: -3, end: 99, label: 'obscene', source: 'model' }]).value).toBe(
      '<mark class="hl hl-obscene" title="obscene (model)">abc</mark>',
    );
  });
});
