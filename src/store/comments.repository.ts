import type { IncomingComment, StoredComment } from '../domain/comment';
import { contentKeyOf, hashText } from '../domain/hashing';
import { upsertArticle } from './articles.repository';
import type { Database, Queryable } from './database';
import { newId } from './ids';

export type SaveOutcome = 'created' | 'unchanged' | 'edited';

export interface SavedComment {
  comment: StoredComment;
  outcome: SaveOutcome;
}

interface CommentRow {
  id: string;
  site_id: string;
  article_id: string;
  article_url: string;
  article_title: string | null;
  source: StoredComment['source'];
  source_id: string | null;
  parent_source_id: string | null;
  parent_id: string | null;
  author: string | null;
  text: string;
  text_hash: string;
  published_at: Date | string | null;
  status: StoredComment['status'];
  created_at: Date | string;
}

const SELECT_COMMENT = `
  SELECT c.id, c.site_id, c.article_id, a.url AS article_url, a.title AS article_title, c.source,
         c.source_id, c.parent_source_id, c.parent_id, c.author, c.text, c.text_hash,
         c.published_at, c.status, c.created_at
  FROM comments c JOIN articles a ON a.id = c.article_id`;

const toIso = (value: Date | string | null): string | null =>
  value === null ? null : value instanceof Date ? value.toISOString() : new Date(value).toISOString();

function toComment(row: CommentRow): StoredComment {
  return {
    id: row.id,
    siteId: row.site_id,
    articleId: row.article_id,
    articleUrl: row.article_url,
    articleTitle: row.article_title,
    source: row.source,
    sourceId: row.source_id,
    parentSourceId: row.parent_source_id,
    parentId: row.parent_id,
    author: row.author,
    text: row.text,
    textHash: row.text_hash,
    publishedAt: toIso(row.published_at),
    status: row.status,
    createdAt: toIso(row.created_at) as string,
  };
}

export async function getComment(db: Queryable, id: string): Promise<StoredComment | null> {
  const { rows } = await db.query<CommentRow>(`${SELECT_COMMENT} WHERE c.id = $1`, [id]);
  return rows[0] ? toComment(rows[0]) : null;
}

/**
 * Stores a comment once, whichever source it came from: matched on (site, source id) when the
 * source gave one, else on (article, author, normalised text). A known comment whose text
 * changed is updated and goes back to pending so it is rescored.
 */
export async function saveComment(db: Database, incoming: IncomingComment): Promise<SavedComment> {
  return db.transaction(async (tx) => {
    const articleId = await upsertArticle(tx, {
      siteId: incoming.siteId,
      url: incoming.articleUrl,
      title: incoming.articleTitle,
    });
    const textHash = hashText(incoming.text);
    const contentKey = contentKeyOf(incoming.author, incoming.text);
    const existing = await findExisting(tx, incoming, articleId, contentKey);
    if (existing) {
      if (existing.text_hash === textHash) {
        if (incoming.sourceId && !existing.source_id) {
          await tx.query('UPDATE comments SET source_id = $2, updated_at = now() WHERE id = $1', [existing.id, incoming.sourceId]);
        }
        return { comment: (await getComment(tx, existing.id)) as StoredComment, outcome: 'unchanged' };
      }
      await tx.query(
        `UPDATE comments SET text = $2, text_hash = $3, content_key = $4, status = 'pending',
           enqueued_at = now(), updated_at = now() WHERE id = $1`,
        [existing.id, incoming.text, textHash, contentKey],
      );
      return { comment: (await getComment(tx, existing.id)) as StoredComment, outcome: 'edited' };
    }
    const parentId = incoming.parentSourceId
      ? ((
          await tx.query<{ id: string }>('SELECT id FROM comments WHERE site_id = $1 AND source_id = $2', [
            incoming.siteId,
            incoming.parentSourceId,
          ])
        ).rows[0]?.id ?? null)
      : null;
    const id = newId();
    // enqueued_at is set optimistically: the caller enqueues right after commit, and if that fails
    // the sweeper sees a pending comment whose enqueue is older than its timeout and retries it.
    const inserted = await tx.query<{ created_at: Date | string }>(
      `INSERT INTO comments (id, site_id, article_id, source, source_id, parent_source_id, parent_id,
         author, text, text_hash, content_key, published_at, enqueued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
       RETURNING created_at`,
      [
        id,
        incoming.siteId,
        articleId,
        incoming.source,
        incoming.sourceId,
        incoming.parentSourceId,
        parentId,
        incoming.author,
        incoming.text,
        textHash,
        contentKey,
        incoming.publishedAt,
      ],
    );
    // A reply can arrive before its parent; link children that were waiting for this comment.
    if (incoming.sourceId) {
      await tx.query(
        `UPDATE comments SET parent_id = $1 WHERE site_id = $2 AND parent_source_id = $3 AND parent_id IS NULL`,
        [id, incoming.siteId, incoming.sourceId],
      );
    }
    const comment: StoredComment = {
      ...incoming,
      id,
      articleId,
      parentId,
      textHash,
      status: 'pending',
      publishedAt: toIso(incoming.publishedAt),
      createdAt: toIso(inserted.rows[0].created_at) as string,
    };
    return { comment, outcome: 'created' };
  });
}

async function findExisting(
  tx: Queryable,
  incoming: IncomingComment,
  articleId: string,
  contentKey: string,
): Promise<{ id: string; text_hash: string; source_id: string | null } | undefined> {
  if (incoming.sourceId) {
    const bySource = await tx.query<{ id: string; text_hash: string; source_id: string | null }>(
      'SELECT id, text_hash, source_id FROM comments WHERE site_id = $1 AND source_id = $2 FOR UPDATE',
      [incoming.siteId, incoming.sourceId],
    );
    if (bySource.rows[0]) return bySource.rows[0];
  }
  const byContent = await tx.query<{ id: string; text_hash: string; source_id: string | null }>(
    `SELECT id, text_hash, source_id FROM comments
     WHERE article_id = $1 AND content_key = $2 AND (source_id IS NULL OR $3::text IS NULL OR source_id = $3)
     LIMIT 1 FOR UPDATE`,
    [articleId, contentKey, incoming.sourceId],
  );
  return byContent.rows[0];
}

export async function markEnqueued(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('UPDATE comments SET enqueued_at = now() WHERE id = ANY($1::text[])', [ids]);
}

/** Pending comments whose job may have been lost: never enqueued, or enqueued long ago. */
export async function findStalePending(
  db: Queryable,
  olderThanMs: number,
  limit: number,
): Promise<{ id: string; textHash: string }[]> {
  const { rows } = await db.query<{ id: string; text_hash: string }>(
    `SELECT id, text_hash FROM comments
     WHERE status = 'pending'
       AND COALESCE(enqueued_at, created_at) < now() - ($1::double precision * interval '1 millisecond')
     ORDER BY created_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows.map((r) => ({ id: r.id, textHash: r.text_hash }));
}

export async function countComments(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments');
  return rows[0].n;
}

/** Just what scoring needs, for a whole micro-batch in one query. */
export async function getTextsForScoring(
  db: Queryable,
  ids: string[],
): Promise<Map<string, { text: string; textHash: string }>> {
  const { rows } = await db.query<{ id: string; text: string; text_hash: string }>(
    'SELECT id, text, text_hash FROM comments WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { text: r.text, textHash: r.text_hash }]));
}
