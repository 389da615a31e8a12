import { html, safeHref } from '../../../src/http/views/html';

describe('html template', () => {
  it('escapes every interpolation', () => {
    const evil = `<script>alert(1)</script><img src=x onerror="alert('x')">`;
    expect(html`<p>${evil}</p>`.value).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;</p>',
    );
  });

  it('keeps nested safe fragments and joins arrays', () => {
    expect(html`<ul>${['<a>', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  });

  it('neutralises non-http links', () => {
    expect(safeHref('javascript:alert(1)')).toBe('#');
    expect(safeHref('data:text/html,<b>')).toBe('#');
    expect(safeHref('https://example.fr/a?b=1')).toBe('https://example.fr/a?b=1');
  });
});
