import fs from 'node:fs';
import path from 'node:path';
import type { ExtractedComment } from '../../../src/domain/comment';
import { extractComments } from '../../../src/ingest/extract';

interface TruthComment {
  id: string | null;
  parent_id: string | null;
  snippet: string;
}

interface Truth {
  page: string;
  url: string;
  comments: TruthComment[];
}

interface PageScore {
  page: string;
  truth: number;
  found: number;
  matched: number;
  truthLinks: number;
  foundLinks: number;
  matchedLinks: number;
}

/** ../shared sits beside the repository, locally and in CI; walk up until it is found. */
function findCorpusDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'ingest-corpus');
    if (fs.existsSync(path.join(candidate, 'INDEX.json'))) return candidate;
  }
  throw new Error(`shared/ingest-corpus not found above ${__dirname}`);
}

const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Greedy matching in document order: each truth comment is claimed by at most one extracted comment. */
function matchComments(found: ExtractedComment[], truth: TruthComment[]): Map<number, number> {
  const matches = new Map<number, number>();
  const used = new Set<number>();
  found.forEach((comment, i) => {
    const text = normalise(comment.text);
    const j = truth.findIndex((t, k) => !used.has(k) && text.startsWith(normalise(t.snippet)));
    if (j >= 0) {
      used.add(j);
      matches.set(i, j);
    }
  });
  return matches;
}

function scorePage(truth: Truth, found: ExtractedComment[]): PageScore {
  const matches = matchComments(found, truth.comments);
  const indexById = new Map(found.map((c, i) => [c.id, i] as const));
  let matchedLinks = 0;
  found.forEach((comment, i) => {
    if (comment.parentId === null) return;
    const j = matches.get(i);
    const parentIndex = indexById.get(comment.parentId);
    const parentTruth = parentIndex === undefined ? undefined : matches.get(parentIndex);
    if (j === undefined || parentTruth === undefined) return;
    if (truth.comments[j].parent_id !== null && truth.comments[j].parent_id === truth.comments[parentTruth].id) {
      matchedLinks += 1;
    }
  });
  return {
    page: path.basename(truth.page, '.html'),
    truth: truth.comments.length,
    found: found.length,
    matched: matches.size,
    truthLinks: truth.comments.filter((c) => c.parent_id !== null).length,
    foundLinks: found.filter((c) => c.parentId !== null).length,
    matchedLinks,
  };
}

const ratio = (num: number, den: number) => (den === 0 ? 1 : num / den);
const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const pct = (x: number) => x.toFixed(2).padStart(5);

describe('extractComments on the development corpus', () => {
  const corpus = findCorpusDir();
  const truthFiles = fs.readdirSync(path.join(corpus, 'truth')).filter((f) => f.endsWith('.json')).sort();
  const scores: PageScore[] = [];

  it('finds all 14 truth files', () => {
    expect(truthFiles).toHaveLength(14);
  });

  it.each(truthFiles)('%s extracts without error', (file) => {
    const truth = JSON.parse(fs.readFileSync(path.join(corpus, 'truth', file), 'utf8')) as Truth;
    const html = fs.readFileSync(path.join(corpus, truth.page), 'utf8');
    const found = extractComments(html, truth.url);
    scores.push(scorePage(truth, found));
    if (truth.comments.length === 0) expect(found).toEqual([]);
  });

  it('reaches F1 >= 0.95 for comments and >= 0.85 for parent links overall', () => {
    const sum = (key: keyof PageScore) => scores.reduce((acc, s) => acc + (s[key] as number), 0);
    const rows = scores.map((s) =>
      [
        s.page.padEnd(44),
        `${String(s.matched).padStart(3)}/${String(s.truth).padEnd(3)}`,
        pct(ratio(s.matched, s.found)),
        pct(ratio(s.matched, s.truth)),
        `${String(s.matchedLinks).padStart(3)}/${String(s.truthLinks).padEnd(3)}`,
        pct(ratio(s.matchedLinks, s.foundLinks)),
        pct(ratio(s.matchedLinks, s.truthLinks)),
      ].join(' '),
    );
    const p = ratio(sum('matched'), sum('found'));
    const r = ratio(sum('matched'), sum('truth'));
    const lp = ratio(sum('matchedLinks'), sum('foundLinks'));
    const lr = ratio(sum('matchedLinks'), sum('truthLinks'));
    console.log(
      [
        `${'page'.padEnd(44)} matched   P     R    links    P     R`,
        ...rows,
        `comments: P=${pct(p)} R=${pct(r)} F1=${pct(f1(p, r))}   parent links: P=${pct(lp)} R=${pct(lr)} F1=${pct(f1(lp, lr))}`,
      ].join('\n'),
    );
    expect(scores).toHaveLength(truthFiles.length);
    expect(f1(p, r)).toBeGreaterThanOrEqual(0.95);
    expect(f1(lp, lr)).toBeGreaterThanOrEqual(0.85);
  });
});
