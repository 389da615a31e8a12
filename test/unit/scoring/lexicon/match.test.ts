import { compileLexicon, expandAlternatives, matchLexicon, type WordList } from '../../../../src/scoring/lexicon';
import { findLexiconMatches } from '../../../../src/scoring/lexicon/match';

/** The matched original text of each hit, with its label. */
function hits(text: string, language?: 'fr' | 'en' | 'other'): string[] {
  return matchLexicon(text, language).map((m) => `${m.label}:${text.slice(m.start, m.end)}`);
}

describe('matchLexicon on the seed thread (page 001)', () => {
  it.each([
    ['A ton avis, petit sous-développé, pendant ce temps', 'insult:petit sous-développé'],
    ['le discours de ce sous-débile de Barrot', 'insult:sous-débile'],
    ['Barrot, le sociopathe de service !', 'insult:sociopathe'],
    ['on y apprend des choses, bande de charlots.', 'insult:bande de charlots'],
    ['en radotant des con neries comme d’habitude', 'obscene:con neries'],
    ['qui lui ont botté le cu.l hors de leurs territoires', 'obscene:botté le cu.l'],
    ['La terre du Mali boira le sang de vos terroristes', 'threat:boira le sang de'],
  ])('flags %j with the span in the original text', (text, expected) => {
    expect(hits(text)).toEqual([expected]);
  });
});

describe('threats', () => {
  it.each([
    ['je vais te tuer', 'threat:je vais te tuer'],
    ["J'vais t'tuer", "threat:J'vais t'tuer"],
    ['on va vous égorger', 'threat:on va vous égorger'],
    ["T'ES MORT", "threat:T'ES MORT"],
    ['kys', 'threat:kys'],
    ['I will kill you', 'threat:I will kill you'],
    ["i'm gonna kill u", "threat:i'm gonna kill u"],
  ])('flags %j', (text, expected) => {
    expect(hits(text)).toEqual([expected]);
  });

  it('marks a credible threat as severe', () => {
    expect(matchLexicon('je vais te tuer')[0].severity).toBe(3);
  });
});

describe('obfuscation', () => {
  it.each([
    ['c o n n a r d', 'connard'],
    ['c.o.n', 'con'],
    ['connnnnard', 'connard'],
    ['C0NN4RD', 'connard'],
    ['f*ck you', 'fuck you'],
    ['fuuuuck', 'fuck'],
    ['fdp', 'fdp'],
    ['ntm', 'ntm'],
    ['tg', 'tg'],
    ['stfu', 'stfu'],
    ['ta gueule', 'ta gueule'],
    ["qu't'es con", "t'es con"],
    ['espèce de connnnard', 'espèce de connard'],
  ])('reads %j as %j', (text, phrase) => {
    expect(matchLexicon(text, 'fr').map((m) => m.phrase)).toContain(phrase);
  });

  it('reports the whole spelled-out word as the span', () => {
    const [match] = matchLexicon('toi, c o n n a r d !');
    expect([match.start, match.end]).toEqual([5, 18]);
  });
});

describe('no false positives', () => {
  it.each([
    'Ce qui se passe au Mali est dramatique.',
    "Je ne sais pas si ces gens là ont de l'humour.",
    "Il a conçu un truc, c'est connu, il faut déconnecter.",
    'Consulter la culture de la députée au Niger.',
    'I bite my nails and eat a scone.',
    'il est en retard',
    'la mer de Chine',
    'le P.D.G. est là',
    'the pros and cons of the deal',
    'Il y a des gens.',
  ])('finds nothing in %j', (text) => {
    expect(hits(text)).toEqual([]);
  });

  it('matches ambiguous words only in their own language', () => {
    expect(hits('Quel con !')).toEqual(['insult:con']);
    expect(hits('con el tiempo', 'other')).toEqual([]);
    expect(hits('the dog will bite', 'en')).toEqual([]);
  });

  it('still finds a quoted threat (mention.ts decides how much it counts)', () => {
    expect(hits("Il n'a jamais écrit « je vais te tuer », c'est faux.")).toEqual(['threat:je vais te tuer']);
  });
});

describe('compileLexicon', () => {
  const list: WordList = {
    language: 'fr',
    entries: [
      { phrase: '{je vais|on va} te {tuer|buter}', label: 'threat', severity: 3 },
      { phrase: 'bite', label: 'obscene', severity: 1, ambiguous: true },
    ],
  };

  it('expands alternatives', () => {
    expect(expandAlternatives('{a|b} c {d|}')).toEqual(['a c d', 'a c', 'b c d', 'b c']);
  });

  it('versions the lists by content', () => {
    const changed: WordList = { ...list, entries: [...list.entries, { phrase: 'x', label: 'insult', severity: 1 }] };
    expect(compileLexicon([list]).version).not.toBe(compileLexicon([changed]).version);
    expect(compileLexicon([list]).version).toBe(compileLexicon([list]).version);
  });

  it('rejects malformed lists', () => {
    expect(() => compileLexicon([{ language: 'fr', entries: [{ phrase: 'x', label: 'rude', severity: 1 }] } as never])).toThrow();
  });

  it('matches every expansion', () => {
    const lexicon = compileLexicon([list]);
    expect(findLexiconMatches('on va te buter', lexicon, 'fr')).toHaveLength(1);
    expect(findLexiconMatches('une bite', lexicon, 'en')).toHaveLength(0);
  });
});
