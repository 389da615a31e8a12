import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../src/lib/logger';
import { extractComments, MAX_HTML_CHARS } from '../../../src/ingest/extract';

const fixture = (name: string) => fs.readFileSync(path.resolve(__dirname, '../../../fixtures/pages', name), 'utf8');
const URL = 'https://example.org/post';

function recordingLogger(): { logger: Logger; messages: Array<{ level: string; obj: unknown; msg: string }> } {
  const messages: Array<{ level: string; obj: unknown; msg: string }> = [];
  const record = (level: string) => (obj: unknown, msg: string) => messages.push({ level, obj, msg });
  const logger = { debug: record('debug'), warn: record('warn'), info: record('info') } as unknown as Logger;
  return { logger, messages };
}

describe('extractComments: WordPress', () => {
  const comments = extractComments(fixture('wordpress-decoys.html'), URL);

  it('returns comments and pingbacks in document order, not the form, counter or related list', () => {
    expect(comments.map((c) => [c.id, c.parentId, c.depth, c.type])).toEqual([
      ['11', null, 1, 'comment'],
      ['12', '11', 2, 'comment'],
      ['13', null, 1, 'pingback'],
    ]);
  });

  it('reads author and machine date and keeps reply links, "says:" and nested replies out of the text', () => {
    expect(comments[0]).toMatchObject({ author: 'Alice', publishedAt: '2024-01-02T10:00:00+00:00' });
    expect(comments[1].author).toBe('Bob');
    expect(comments[0].text).toBe('Premier commentaire <script>alert(1)</script> en texte.');
    expect(comments[1].text).toBe('Une réponse à Alice.');
    expect(comments[2].text).toBe('Pingback: Un autre blog');
  });
});

describe('extractComments: other families', () => {
  it('threads Drupal RDFa comments through div.indented', () => {
    const comments = extractComments(fixture('drupal-rdfa.html'), URL);
    expect(comments.map((c) => [c.id, c.parentId, c.depth, c.text])).toEqual([
      ['1', null, 1, 'Texte du premier.'],
      ['2', '1', 2, 'Réponse au premier.'],
      ['3', '2', 3, 'Réponse à la réponse.'],
      ['4', null, 1, 'Second fil.'],
    ]);
    expect(comments[0]).toMatchObject({ author: 'Jeanne', publishedAt: '2024-01-01T09:00:00+00:00' });
  });

  it('reads SPIP forums with nested replies and lists inside messages', () => {
    const comments = extractComments(fixture('spip-forum.html'), URL);
    expect(comments.map((c) => [c.id, c.parentId, c.author, c.text])).toEqual([
      ['101', null, 'Paul', 'Message de Paul.\npoint un\npoint deux'],
      ['102', '101', 'Zoé', 'Réponse de Zoé.'],
    ]);
  });

  it('matches schema.org microdata types in any case', () => {
    const comments = extractComments(fixture('schema-microdata.html'), URL);
    expect(comments.map((c) => [c.id, c.parentId, c.author, c.publishedAt, c.text])).toEqual([
      ['7', null, 'Marie', '2023-05-06T07:08:09Z', 'Commentaire en microdonnées.'],
      ['8', '7', null, null, 'Une réponse imbriquée.'],
    ]);
  });

  it('reads JSON-LD comments as text and skips broken scripts', () => {
    const comments = extractComments(fixture('json-ld.html'), URL);
    expect(comments.map((c) => [c.id, c.parentId, c.depth, c.author, c.text])).toEqual([
      ['51', null, 1, 'Ana', 'Premier & gras'],
      ['52', '51', 2, 'Léo', 'Réponse'],
      ['53', null, 1, null, 'Deuxième'],
    ]);
  });

  it('finds repeated blocks in a custom container by shape', () => {
    const comments = extractComments(fixture('generic-custom.html'), URL);
    expect(comments.map((c) => [c.author, c.text])).toEqual([
      ['Hugo', 'Un avis sur cette pétition très importante.'],
      ['Inès', "Je suis tout à fait d'accord avec vous."],
    ]);
  });

  it('returns [] for comments loaded by JavaScript and says why in debug logs', () => {
    const { logger, messages } = recordingLogger();
    expect(extractComments(fixture('js-loaded.html'), URL, { logger })).toEqual([]);
    expect(JSON.stringify(messages)).toMatch(/load by JavaScript/);
  });
});

describe('extractComments: bad input', () => {
  const comment = (id: number, text: string) =>
    `<li id="comment-${id}" class="comment depth-1"><article class="comment-body"><div class="comment-content"><p>${text}</p></div></article></li>`;

  it('survives truncated and malformed markup', () => {
    const html = `<html><body><ol class="comment-list">${comment(1, 'Entier')}<li id="comment-2" class="comment depth-1"><article><div class="comment-content"><p>Coupé au mil`;
    expect(extractComments(html, URL).map((c) => c.text)).toEqual(['Entier', 'Coupé au mil']);
    expect(extractComments('<<<>>></li></div><p <b', URL)).toEqual([]);
    expect(extractComments('', URL)).toEqual([]);
  });

  it('keeps markup inside comments as text, never as elements', () => {
    const html = `<ol>${comment(1, '&lt;img src=x onerror=alert(1)&gt; &amp;lt;b&amp;gt;')}</ol>`;
    expect(extractComments(html, URL)[0].text).toBe('<img src=x onerror=alert(1)> &lt;b&gt;');
  });

  it('handles 100k levels of nesting without overflowing the stack', () => {
    const depth = 100_000;
    const html = `<ol>${comment(1, `${'<div>'.repeat(depth)}profond${'</div>'.repeat(depth)}`)}</ol>`;
    expect(extractComments(html, URL)[0].text).toBe('profond');
  });

  it(`cuts pages above MAX_HTML_CHARS (${MAX_HTML_CHARS}) and warns`, () => {
    const { logger, messages } = recordingLogger();
    const filler = `<p>${'x'.repeat(1000)}</p>`.repeat(Math.ceil((20 * 1024 * 1024) / 1007));
    const html = `<ol>${comment(1, 'Avant')}</ol>${filler}<ol>${comment(2, 'Après la coupure')}</ol>`;
    const started = Date.now();
    const comments = extractComments(html, URL, { logger });
    expect(comments.map((c) => c.text)).toEqual(['Avant']);
    expect(messages.some((m) => m.level === 'warn')).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('extractComments: previews', () => {
  it('ignores comment markup that only exists inside the comment form', () => {
    const html = `<form id="commentform"><ol><li id="comment-9" class="comment depth-1"><div class="comment-content">Aperçu</div></li></ol></form>`;
    expect(extractComments(html, URL)).toEqual([]);
  });
});
