import iconv from 'iconv-lite';
import { decodeHtml } from '../../../src/ingest/extract/decode';

const page = (head: string) => `<html><head>${head}</head><body><p>Déjà vu, “œuvre” à 5 €</p></body></html>`;

describe('decodeHtml', () => {
  it('decodes UTF-8 by default', () => {
    expect(decodeHtml(Buffer.from(page(''), 'utf8'))).toContain('Déjà vu, “œuvre” à 5 €');
  });

  it('honours a byte-order mark over every declaration', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page('<meta charset="iso-8859-1">'))]);
    expect(decodeHtml(bytes, 'text/html; charset=iso-8859-1')).toMatch(/^<html>.*Déjà vu, “œuvre”/);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(page(''), 'utf16le')]);
    expect(decodeHtml(utf16)).toContain('Déjà vu');
  });

  it('honours the HTTP charset', () => {
    expect(decodeHtml(iconv.encode(page(''), 'windows-1252'), 'text/html; charset="windows-1252"')).toContain('“œuvre” à 5 €');
  });

  it('honours <meta charset> and http-equiv, reading ISO-8859-1 as windows-1252', () => {
    const latin = iconv.encode(page('<meta charset="ISO-8859-1">'), 'windows-1252');
    expect(decodeHtml(latin)).toContain('Déjà vu, “œuvre” à 5 €');
    const equiv = iconv.encode(page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'), 'windows-1252');
    expect(decodeHtml(equiv, 'text/html')).toContain('Déjà vu');
  });

  it('falls back to windows-1252 for undeclared bytes that are not UTF-8, and ignores unknown labels', () => {
    expect(decodeHtml(iconv.encode(page(''), 'windows-1252'))).toContain('Déjà vu');
    expect(decodeHtml(Buffer.from(page('<meta charset="x-nonsense">'), 'utf8'))).toContain('Déjà vu');
  });
});
