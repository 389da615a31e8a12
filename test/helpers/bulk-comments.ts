import type { Database } from '../../src/store/database';

/**
 * Inserts `count` pending comments in one statement (PostgreSQL-side generate_series), as a
 * crash or load test needs thousands quickly. Texts alternate between neutral and abusive.
 */
export async function insertPendingComments(db: Database, count: number, site = 'bulk'): Promise<void> {
  await db.query(`INSERT INTO articles (id, site_id, url, title) VALUES ($1, $2, $3, 'Bulk') ON CONFLICT DO NOTHING`, [
    `art-${site}`,
    site,
    `https://${site}.example/a`,
  ]);
  await db.query(
    `INSERT INTO comments (id, site_id, article_id, source, source_id, author, text, text_hash, content_key)
     SELECT 'c-' || $1 || '-' || n, $1, 'art-' || $1, 'webhook', 's-' || n, 'reader' || (n % 97),
            t, encode(sha256(convert_to(t, 'UTF8')), 'hex'), md5(t)
     FROM (SELECT n, CASE WHEN n % 3 = 0 THEN 'Espèce de connard numéro ' || n
                          ELSE 'Article intéressant, merci pour ce travail numéro ' || n END AS t
           FROM generate_series(1, $2::int) AS n) AS g`,
    [site, count],
  );
}
