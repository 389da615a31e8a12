import type { Role } from '../auth/roles';
import type { Queryable } from './database';

export interface SessionRecord {
  idHash: string;
  csrfToken: string;
  user: { id: string; name: string; role: Role };
  lastSeenAt: string;
}

export async function createSession(
  db: Queryable,
  input: { idHash: string; userId: string; csrfToken: string; ttlMs: number },
): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at)
     VALUES ($1, $2, $3, now() + ($4::double precision * interval '1 millisecond'))`,
    [input.idHash, input.userId, input.csrfToken, input.ttlMs],
  );
}

/** A live session of an enabled user, or null. */
export async function findSession(db: Queryable, idHash: string): Promise<SessionRecord | null> {
  const { rows } = await db.query<{
    id_hash: string;
    csrf_token: string;
    user_id: string;
    name: string;
    role: Role;
    last_seen_at: Date | string;
  }>(
    `SELECT s.id_hash, s.csrf_token, s.user_id, u.name, u.role, s.last_seen_at
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [idHash],
  );
  const r = rows[0];
  return r
    ? { idHash: r.id_hash, csrfToken: r.csrf_token, user: { id: r.user_id, name: r.name, role: r.role }, lastSeenAt: new Date(r.last_seen_at).toISOString() }
    : null;
}

/** Sliding expiry: an active moderator stays logged in, an idle session lapses. */
export async function touchSession(db: Queryable, idHash: string, ttlMs: number): Promise<void> {
  await db.query(
    `UPDATE sessions SET last_seen_at = now(), expires_at = now() + ($2::double precision * interval '1 millisecond')
     WHERE id_hash = $1`,
    [idHash, ttlMs],
  );
}

export async function deleteSession(db: Queryable, idHash: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
}

export async function deleteExpiredSessions(db: Queryable): Promise<void> {
  await db.query('DELETE FROM sessions WHERE expires_at < now()');
}
