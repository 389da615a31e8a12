import { parseDelimited, parseDelimitedRecords } from '../../../src/eval/csv';
import { evaluateItems } from '../../../src/eval/evaluate';
import { detectLanguage } from '../../../src/eval/language';
import { chooseColumns, parseGold, parseLabelMap, toLabelledItems } from '../../../src/eval/labelled-file';
import { thresholdsFor } from '../../../src/eval/policy-thresholds';

describe('CSV parsing', () => {
  it('handles quotes, doubled quotes, separators and newlines inside fields, CRLF', () => {
    const rows = parseDelimited('a,b\r\n"x, ""y""",2\n"multi\nline",3\n');
    expect(rows).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
      ['multi\nline', '3'],
    ]);
  });

  it('keys records by header', () => {
    expect(parseDelimitedRecords('text\tlabel\nbonjour\t0\n', '\t')).toEqual([{ text: 'bonjour', label: '0' }]);
  });
});

describe('labelled file columns', () => {
  const rows = [
    { comment_text: 'you are an idiot', toxic: '1', insult: '1', identity_hate: '0' },
    { comment_text: 'Merci pour cet article très clair', toxic: '0', insult: '0', identity_hate: '' },
  ];

  it('auto-detects Jigsaw-style names and the language', () => {
    const cols = chooseColumns(rows, {});
    expect(cols).toEqual({ text: 'comment_text', labels: { toxicity: 'toxic', insult: 'insult', identity_attack: 'identity_hate' }, language: undefined });
    const items = toLabelledItems(rows, cols);
    expect(items[0]).toEqual({ text: 'you are an idiot', gold: { toxicity: 1, insult: 1, identity_attack: 0 }, lang: 'en' });
    // An empty cell means "not annotated", not 0.
    expect(items[1].gold).toEqual({ toxicity: 0, insult: 0 });
    expect(items[1].lang).toBe('fr');
  });

  it('honours an explicit label map and rejects unknown labels or columns', () => {
    expect(chooseColumns(rows, { labelMap: parseLabelMap('toxicity=insult') }).labels).toEqual({ toxicity: 'insult' });
    expect(() => parseLabelMap('rudeness=toxic')).toThrow(/label=column/);
    expect(() => chooseColumns(rows, { labelMap: { toxicity: 'nope' } })).toThrow(/nope/);
  });

  it('parses gold values', () => {
    expect([parseGold('1'), parseGold('0.25'), parseGold(true), parseGold(''), parseGold('n/a')]).toEqual([1, 0.25, 1, undefined, undefined]);
  });

  it('detects French and English', () => {
    expect(detectLanguage('Le gouvernement a menti sur les chiffres')).toBe('fr');
    expect(detectLanguage('The government lied about the numbers')).toBe('en');
  });
});

describe('evaluateItems', () => {
  it('reports AUC per label and per language and P/R at the policy thresholds', () => {
    const policy = {
      thresholds: { default: { review: { toxicity: 0.5 }, reject: { toxicity: 0.9 } }, fr: { review: { toxicity: 0.3 } } },
    };
    const items = [
      { gold: { toxicity: 1 }, scores: { toxicity: 0.95 }, lang: 'fr' },
      { gold: { toxicity: 0 }, scores: { toxicity: 0.4 }, lang: 'fr' },
      { gold: { toxicity: 1 }, scores: { toxicity: 0.35 }, lang: 'fr' },
      { gold: { toxicity: 0 }, scores: { toxicity: 0.6 }, lang: 'en' },
      { gold: { toxicity: 1 }, scores: { toxicity: 0.7 }, lang: 'en' },
    ];
    const report = evaluateItems(items, { policy });
    // The policy flags score > threshold: the item scored exactly 0.35 > 0.3 counts, 0.4 (negative) too.
    expect(report.labels.toxicity?.rocAuc).toBeCloseTo(4 / 6, 12);
    expect(report.byLanguage.fr.labels.toxicity?.atReview).toEqual({ threshold: 0.3, precision: 2 / 3, recall: 1, flagged: 3 });
    expect(report.byLanguage.en.labels.toxicity?.atReject).toEqual({ threshold: 0.9, precision: NaN, recall: 0, flagged: 0 });
    expect(thresholdsFor(policy, 'de').review.toxicity).toBe(0.5);
  });
});
