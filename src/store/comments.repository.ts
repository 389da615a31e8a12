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
 * `saveComment` for many comments, with the outcomes of saving them one after the other in this
 * order, in two statements when they are new — the common case: one read of what is already
 * stored, one write (a single statement, so atomic without BEGIN/COMMIT). A comment that may
 * match a stored one or an earlier one of the batch, or that lost a race to a concurrent writer,
 * is saved afterwards by `saveComment`.
 */
export async function saveComments(db: Database, batch: IncomingComment[]): Promise<SavedComment[]> {
  if (batch.length === 0) return [];
  const plan = planBatch(batch, await readStored(db, batch));
  let saved: (SavedComment | undefined)[] = [];
  try {
    saved = await writeFresh(db, plan);
  } catch (err) {
    // A concurrent writer created one of our new articles or parents first: go one by one.
    if (!LOST_RACE_CODES.has((err as { code?: string }).code ?? '')) throw err;
  }
  for (const [i, incoming] of batch.entries()) saved[i] ??= await saveComment(db, incoming);
  return saved as SavedComment[];
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

function newComment(
  incoming: IncomingComment,
  stored: { id: string; articleId: string; parentId: string | null; textHash: string; createdAt: Date | string },
): StoredComment {
  return {
    ...incoming,
    ...stored,
    status: 'pending',
    publishedAt: toIso(incoming.publishedAt),
    createdAt: toIso(stored.createdAt) as string,
  };
}

/** unique_violation, foreign_key_violation, deadlock_detected. */
const LOST_RACE_CODES = new Set(['23505', '23503', '40P01']);

const articleKey = (siteId: string, url: string) => `${siteId}\n${url}`;
const sourceKey = (siteId: string, sourceId: string) => `${siteId}\n${sourceId}`;
const contentKeyIn = (siteId: string, url: string, contentKey: string) => `${siteId}\n${url}\n${contentKey}`;

interface StoredKeys {
  articles: Map<string, { id: string; title: string | null }>;
  /** (site, source id) → comment id, for the batch's source ids and parent ids. */
  sources: Map<string, string>;
  /** (site, article URL, content key) → source ids of the comments stored under it. */
  contents: Map<string, (string | null)[]>;
}

/**
 * One result for three lookups: `article` rows are (url, article id, title), `source` rows
 * (source id, comment id, –), `content` rows (url, content key, source id).
 */
interface StoredKeyRow {
  kind: 'article' | 'source' | 'content';
  site_id: string;
  k1: string;
  k2: string;
  value: string | null;
}

/** Everything already stored that the batch could match, in one round trip. */
async function readStored(db: Queryable, batch: IncomingComment[]): Promise<StoredKeys> {
  const withSource = batch.flatMap((c) => [
    ...(c.sourceId === null ? [] : [{ siteId: c.siteId, sourceId: c.sourceId }]),
    ...(c.parentSourceId === null ? [] : [{ siteId: c.siteId, sourceId: c.parentSourceId }]),
  ]);
  const { rows } = await db.query<StoredKeyRow>(
    `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS w(site_id, url, content_key)),
          sources AS (SELECT * FROM unnest($4::text[], $5::text[]) AS s(site_id, source_id))
     SELECT 'article' AS kind, a.site_id, a.url AS k1, a.id AS k2, a.title AS value
       FROM articles a WHERE (a.site_id, a.url) IN (SELECT site_id, url FROM wanted)
     UNION ALL
     SELECT 'source', c.site_id, c.source_id, c.id, NULL
       FROM comments c WHERE c.source_id IS NOT NULL AND (c.site_id, c.source_id) IN (SELECT site_id, source_id FROM sources)
     UNION ALL
     SELECT 'content', a.site_id, a.url, c.content_key, c.source_id
       FROM comments c JOIN articles a ON a.id = c.article_id
       WHERE (a.site_id, a.url, c.content_key) IN (SELECT site_id, url, content_key FROM wanted)`,
    [
      batch.map((c) => c.siteId),
      batch.map((c) => c.articleUrl),
      batch.map((c) => contentKeyOf(c.author, c.text)),
      withSource.map((c) => c.siteId),
      withSource.map((c) => c.sourceId),
    ],
  );
  const stored: StoredKeys = { articles: new Map(), sources: new Map(), contents: new Map() };
  for (const row of rows) {
    if (row.kind === 'article') stored.articles.set(articleKey(row.site_id, row.k1), { id: row.k2, title: row.value });
    else if (row.kind === 'source') stored.sources.set(sourceKey(row.site_id, row.k1), row.k2);
    else addTo(stored.contents, contentKeyIn(row.site_id, row.k1, row.k2), row.value);
  }
  return stored;
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface FreshRow {
  index: number;
  incoming: IncomingComment;
  id: string;
  articleId: string;
  parentId: string | null;
  /** The parent as `saveComment` would have reported it: only if it came earlier. */
  reportedParentId: string | null;
  textHash: string;
  contentKey: string;
}

interface BatchPlan {
  fresh: FreshRow[];
  newArticles: { id: string; siteId: string; url: string; title: string | null }[];
  retitled: { id: string; title: string }[];
}

/**
 * Which comments are new for sure: neither a stored comment nor an earlier one of the batch has
 * their (site, source id) or, compatibly, their article and content key, and a parent given in
 * the batch is new as well. Replies get their parent's id directly, whichever comes first.
 */
function planBatch(batch: IncomingComment[], stored: StoredKeys): BatchPlan {
  const articles = new Map<string, { id: string; siteId: string; url: string; title: string | null; isNew: boolean }>();
  for (const c of batch) {
    const key = articleKey(c.siteId, c.articleUrl);
    const known = articles.get(key);
    const storedArticle = stored.articles.get(key);
    // As when saved one by one: the last title given wins, an absent title changes nothing.
    const title = c.articleTitle ?? known?.title ?? storedArticle?.title ?? null;
    articles.set(key, { id: known?.id ?? storedArticle?.id ?? newId(), siteId: c.siteId, url: c.articleUrl, title, isNew: !storedArticle });
  }
  const contents = new Map(stored.contents);
  const seenSources = new Set<string>();
  const slowSources = new Set<string>();
  const freshBySource = new Map<string, FreshRow>();
  const fresh: FreshRow[] = [];
  for (const [index, incoming] of batch.entries()) {
    const article = articles.get(articleKey(incoming.siteId, incoming.articleUrl))!;
    const contentKey = contentKeyOf(incoming.author, incoming.text);
    const contentAt = contentKeyIn(incoming.siteId, incoming.articleUrl, contentKey);
    const ownSource = incoming.sourceId === null ? null : sourceKey(incoming.siteId, incoming.sourceId);
    const parentSource = incoming.parentSourceId === null ? null : sourceKey(incoming.siteId, incoming.parentSourceId);
    const matchesContent = (contents.get(contentAt) ?? []).some(
      (sourceId) => sourceId === null || incoming.sourceId === null || sourceId === incoming.sourceId,
    );
    const isFresh =
      !matchesContent &&
      (ownSource === null || (!stored.sources.has(ownSource) && !seenSources.has(ownSource))) &&
      (parentSource === null || !slowSources.has(parentSource));
    if (ownSource !== null) seenSources.add(ownSource);
    addTo(contents, contentAt, incoming.sourceId);
    if (!isFresh) {
      if (ownSource !== null) slowSources.add(ownSource);
      continue;
    }
    const storedParent = parentSource === null ? undefined : stored.sources.get(parentSource);
    const row: FreshRow = {
      index,
      incoming,
      id: newId(),
      articleId: article.id,
      parentId: storedParent ?? null,
      reportedParentId: storedParent ?? (parentSource === null ? null : (freshBySource.get(parentSource)?.id ?? null)),
      textHash: hashText(incoming.text),
      contentKey,
    };
    fresh.push(row);
    if (ownSource !== null) freshBySource.set(ownSource, row);
  }
  for (const row of fresh) {
    if (row.parentId !== null || row.incoming.parentSourceId === null) continue;
    row.parentId = freshBySource.get(sourceKey(row.incoming.siteId, row.incoming.parentSourceId))?.id ?? null;
  }
  const all = [...articles.values()];
  return {
    fresh,
    newArticles: all.filter((a) => a.isNew),
    retitled: all
      .filter((a) => !a.isNew && a.title !== null && a.title !== stored.articles.get(articleKey(a.siteId, a.url))?.title)
      .map((a) => ({ id: a.id, title: a.title as string })),
  };
}

function compareSources(a: FreshRow, b: FreshRow): number {
  const [x, y] = [a.incoming, b.incoming];
  if (x.siteId !== y.siteId) return x.siteId < y.siteId ? -1 : 1;
  if (x.sourceId === y.sourceId) return 0;
  if (x.sourceId === null || y.sourceId === null) return x.sourceId === null ? 1 : -1;
  return x.sourceId < y.sourceId ? -1 : 1;
}

/**
 * One statement: new articles, retitles, the fresh comments, and stored replies that were waiting
 * for one of them. A fresh (site, source id) taken meanwhile by another writer is skipped (and
 * saved one by one afterwards); an article or parent taken meanwhile fails the statement.
 */
async function writeFresh(db: Queryable, plan: BatchPlan): Promise<(SavedComment | undefined)[]> {
  const saved: (SavedComment | undefined)[] = [];
  if (plan.fresh.length === 0 && plan.newArticles.length === 0 && plan.retitled.length === 0) return saved;
  // In (site, source id) order, so two writers inserting the same comments wait for each other instead of deadlocking.
  const rows = [...plan.fresh].sort(compareSources);
  const { rows: inserted } = await db.query<{ id: string; created_at: Date | string }>(
    `WITH new_articles AS (
       INSERT INTO articles (id, site_id, url, title)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (site_id, url) DO NOTHING
     ), retitled AS (
       UPDATE articles a SET title = t.title FROM unnest($5::text[], $6::text[]) AS t(id, title) WHERE a.id = t.id
     ), inserted AS (
       INSERT INTO comments (id, site_id, article_id, source, source_id, parent_source_id, parent_id,
         author, text, text_hash, content_key, published_at, enqueued_at)
       SELECT u.*, now() FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
         $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::timestamptz[]) AS u
       ON CONFLICT (site_id, source_id) WHERE source_id IS NOT NULL DO NOTHING
       RETURNING id, site_id, source_id, created_at
     ), linked AS (
       -- Replies stored before their parent; the statement's own rows already carry parent_id.
       UPDATE comments c SET parent_id = i.id FROM inserted i
       WHERE i.source_id IS NOT NULL AND c.site_id = i.site_id AND c.parent_source_id = i.source_id AND c.parent_id IS NULL
     )
     SELECT id, created_at FROM inserted`,
    [
      plan.newArticles.map((a) => a.id),
      plan.newArticles.map((a) => a.siteId),
      plan.newArticles.map((a) => a.url),
      plan.newArticles.map((a) => a.title),
      plan.retitled.map((a) => a.id),
      plan.retitled.map((a) => a.title),
      rows.map((r) => r.id),
      rows.map((r) => r.incoming.siteId),
      rows.map((r) => r.articleId),
      rows.map((r) => r.incoming.source),
      rows.map((r) => r.incoming.sourceId),
      rows.map((r) => r.incoming.parentSourceId),
      rows.map((r) => r.parentId),
      rows.map((r) => r.incoming.author),
      rows.map((r) => r.incoming.text),
      rows.map((r) => r.textHash),
      rows.map((r) => r.contentKey),
      rows.map((r) => r.incoming.publishedAt),
    ],
  );
  const createdAt = new Map(inserted.map((r) => [r.id, r.created_at]));
  for (const row of rows) {
    const at = createdAt.get(row.id);
    if (at === undefined) continue;
    const { id, articleId, reportedParentId: parentId, textHash } = row;
    saved[row.index] = { comment: newComment(row.incoming, { id, articleId, parentId, textHash, createdAt: at }), outcome: 'created' };
  }
  return saved;
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
