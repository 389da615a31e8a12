import fs from 'node:fs';
import path from 'node:path';
import { extractSeedArticle, extractSeedComments, isSeedText } from '../../../src/ingest/seed-text';

function findSeedsDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'seeds');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`shared/seeds not found above ${__dirname}`);
}

const seeds = findSeedsDir();
const readSeed = (prefix: string) => {
  const file = fs.readdirSync(seeds).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`seed ${prefix} missing`);
  return fs.readFileSync(path.join(seeds, file), 'utf8');
};

describe('extractSeedComments', () => {
  it('finds the 7 comments of seed 001, the 7th replying to the 6th', () => {
    const comments = extractSeedComments(readSeed('001'));
    expect(comments.map((c) => c.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(comments.slice(0, 6).every((c) => c.parentId === null && c.depth === 1)).toBe(true);
    expect(comments[6]).toMatchObject({ parentId: '6', depth: 2 });
    expect(comments[0].text.startsWith('@Obélix')).toBe(true);
    expect(comments[6].text).toContain('La terre du Mali boira le sang');
    expect(comments.some((c) => /Répondre|Laisser un commentaire/.test(c.text))).toBe(false);
  });

  it.each(['000', '002', '003', '004'])('finds no comments in seed %s', (prefix) => {
    expect(extractSeedComments(readSeed(prefix))).toEqual([]);
  });

  it('ignores an empty "0 Commentaires" block', () => {
    expect(extractSeedComments('Titre\n\nTexte.\n0 Commentaires\nParticiper à la Discussion\nCommentez cet article')).toEqual([]);
  });
});

describe('extractSeedArticle', () => {
  it('takes the first line as the title', () => {
    expect(extractSeedArticle(readSeed('001')).title).toBe('Sécurité au Mali : pour la France, la Russie a échoué');
  });
});

describe('isSeedText', () => {
  it('tells text dumps from HTML', () => {
    expect(isSeedText(readSeed('001'))).toBe(true);
    expect(isSeedText('<!DOCTYPE html><html></html>')).toBe(false);
    expect(isSeedText('  <div class="x">hi</div>')).toBe(false);
  });
});
