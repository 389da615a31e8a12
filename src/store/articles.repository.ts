import type { Queryable } from './database';
import { newId } from './ids';

export interface ArticleInput {
  siteId: string;
  url: string;
  title: string | null;
}

/** Returns the article's id, creating it on first sight and filling in a title learnt later. */
export async function upsertArticle(db: Queryable, article: ArticleInput): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO articles (id, site_id, url, title) VALUES ($1, $2, $3, $4)
     ON CONFLICT (site_id, url) DO UPDATE SET title = COALESCE(EXCLUDED.title, articles.title)
     RETURNING id`,
    [newId(), article.siteId, article.url, article.title],
  );
  return rows[0].id;
}
