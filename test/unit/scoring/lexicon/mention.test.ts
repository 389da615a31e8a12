import { LexiconScorer, scoreLexiconMatches } from '../../../../src/scoring/lexicon';
import { findQuotedRanges } from '../../../../src/scoring/lexicon/mention';
import { createScoringEngine } from '../../../../src/scoring/engine';
import { loadPolicy } from '../../../../src/triage/policy';

const scorer = new LexiconScorer();
const kinds = (text: string) => scorer.match(text).map((m) => `${m.phrase}:${m.mention ?? 'use'}`);

describe('use or mention of a word-list phrase', () => {
  it.each([
    ["Il n'a jamais écrit « je vais te tuer », c'est faux.", 'je vais te tuer:quoted'],
    ['Traiter les gens de « bougnoules », c’est inadmissible.', 'bougnoules:quoted'],
    ['Le mot “pédé” est une insulte homophobe.', 'pédé:quoted'],
    ['Words like "faggot" should never be used.', 'faggot:quoted'],
    ["Il m'a traité de connard devant tout le monde.", 'connard:reported'],
    ['Se faire traiter de sale bougnoule à 12 ans, ça marque.', 'sale bougnoule:reported'],
    ['He called me a retard in front of everyone.', 'retard:reported'],
    ['Le journaliste a écrit : sale con.', 'sale con:reported'],
    ["On m'a traitée d'idiote hier.", 'idiote:reported'],
  ])('%s → %s', (text, expected) => {
    expect(kinds(text)).toEqual([expected]);
  });

  it.each([
    ['Je te traite de connard, oui.', 'connard:use'],
    ['Espèce de connard.', 'espèce de connard:use'],
    ['Connard. "Bonjour" dit-il.', 'connard:use'],
    ['He said nothing. You retard.', 'retard:use'],
    ['Chacun le sait, connard.', 'connard:use'],
  ])('a use stays a use: %s', (text, expected) => {
    expect(kinds(text)).toEqual([expected]);
  });

  it('pairs quotation marks, ignores an unclosed one and apostrophes', () => {
    expect(findQuotedRanges('« a » et “b” puis "c"')).toEqual([
      [1, 4],
      [10, 11],
      [19, 20],
    ]);
    expect(findQuotedRanges("l'homme « sans fin")).toEqual([]);
  });

  it('counts a mention one severity step lower', () => {
    const [quotedThreat] = scorer.match('Il a écrit « je vais te tuer ».');
    const [usedThreat] = scorer.match('Je vais te tuer.');
    expect(scoreLexiconMatches([usedThreat]).threat).toBe(0.95);
    expect(scoreLexiconMatches([quotedThreat]).threat).toBe(0.75);
    const [reportedInsult] = scorer.match("Il m'a traité de connard.");
    expect(scoreLexiconMatches([reportedInsult]).insult).toBe(0.35);
  });

  it('with word lists alone: a quoted threat goes to review, not rejection; the threat itself is rejected', async () => {
    const engine = createScoringEngine({ scorers: [scorer], policy: loadPolicy() });
    const [quoted, used, reported] = await engine.scoreTexts([
      { text: 'Il a écrit « je vais te tuer » sous mon article, je l’ai signalé.' },
      { text: 'Je vais te tuer, tu verras.' },
      { text: "Un lecteur m'a traité de connard hier." },
    ]);
    expect(quoted.decision).toBe('review');
    expect(quoted.reasons).toContainEqual(expect.objectContaining({ code: 'lexicon_match', message: expect.stringMatching(/quoted: counted one step lower/) }));
    expect(quoted.spans).toContainEqual(expect.objectContaining({ source: 'lexicon', label: 'threat' }));
    expect(used.decision).toBe('reject');
    expect(reported.decision).toBe('approve');
  });
});
