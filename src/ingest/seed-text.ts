import type { ExtractedComment } from '../domain/comment';

/** "9 réflexions au sujet de …", "3 thoughts on …", "12 commentaires" */
const COMMENTS_HEADING = /^\s*\d+\s+(?:réflexions?|commentaires?|comments?|thoughts?|réponses?|responses?)\b/i;
const NUMBERED = /^\s*(\d+)\.\s+(.*)$/;
const REPLY_BULLET = /^\s*[•·◦▪]\s*(.*)$/;
const REPLY_LABEL = /^\s*(?:Répondre|Reply|Antworten)\s*$/i;
const FORM_HEADING = /^\s*(?:Laisser un commentaire|Leave a (?:comment|reply)|Participer à la discussion|Commentez cet article)/i;

/**
 * Comments of a text dump of a WordPress-style page (copied from a browser): a heading, then
 * numbered comments each closed by "Répondre", replies introduced by "•". Ids are positions.
 */
export function extractSeedComments(text: string): ExtractedComment[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const start = lines.findIndex((line) => COMMENTS_HEADING.test(line));
  if (start < 0) return [];
  const comments: ExtractedComment[] = [];
  let current: { lines: string[]; depth: number } | null = null;
  let lastTopLevelId: string | null = null;

  const flush = () => {
    const body = current?.lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
    if (current && body) {
      const id = String(comments.length + 1);
      const reply = current.depth > 1;
      comments.push({ id, parentId: reply ? lastTopLevelId : null, author: null, publishedAt: null, text: body, depth: current.depth, type: 'comment' });
      if (!reply) lastTopLevelId = id;
    }
    current = null;
  };

  for (const line of lines.slice(start + 1)) {
    if (FORM_HEADING.test(line)) break;
    const numbered = NUMBERED.exec(line);
    const bullet = REPLY_BULLET.exec(line);
    if (numbered) {
      flush();
      current = { lines: [numbered[2].trim()], depth: 1 };
    } else if (bullet) {
      flush();
      current = { lines: [bullet[1].trim()], depth: 2 };
    } else if (REPLY_LABEL.test(line)) {
      flush();
    } else if (current) {
      current.lines.push(line.trim());
    }
  }
  flush();
  return comments;
}

/** The article title: the first non-empty line of the dump. */
export function extractSeedArticle(text: string): { title: string } {
  const first = text.split(/\r?\n/).find((line) => line.trim().length > 0);
  return { title: first?.trim() ?? '' };
}

/** A seed dump is plain text; anything that opens like markup is HTML. */
export function isSeedText(text: string): boolean {
  return !/^\s*(?:<!doctype html|<html|<head|<body|<\?xml|<[a-z][\w-]*[\s>])/i.test(text.slice(0, 1024));
}
