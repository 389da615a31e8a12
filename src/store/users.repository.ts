import type { Role } from '../auth/roles';
import type { Queryable } from './database';
import { newId } from './ids';

export interface User {
  id: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

interface UserRow {
  id: string;
  name: string;
  role: Role;
  password_hash: string;
  disabled_at: Date | string | null;
  created_at: Date | string;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  role: r.role,
  disabled: r.disabled_at !== null,
  createdAt: new Date(r.created_at).toISOString(),
});

export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function createUser(db: Queryable, input: { name: string; role: Role; passwordHash: string }): Promise<User> {
  const { rows } = await db.query<UserRow>(
    'INSERT INTO users (id, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING *',
    [newId(), input.name, input.role, input.passwordHash],
  );
  return toUser(rows[0]);
}

/** The user and its hash, for login; disabled users are returned so the caller can refuse them the same way. */
export async function findUserForLogin(db: Queryable, name: string): Promise<(User & { passwordHash: string }) | null> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE name = $1', [name]);
  return rows[0] ? { ...toUser(rows[0]), passwordHash: rows[0].password_hash } : null;
}

export async function listUsers(db: Queryable): Promise<User[]> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users ORDER BY name');
  return rows.map(toUser);
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0].n;
}

/** Disables the account and ends its sessions. Returns false when no such user exists. */
export async function disableUser(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    'UPDATE users SET disabled_at = COALESCE(disabled_at, now()) WHERE name = $1 RETURNING id',
    [name],
  );
  if (!rows[0]) return false;
  await db.query('DELETE FROM sessions WHERE user_id = $1', [rows[0].id]);
  return true;
}

export async function createApiToken(db: Queryable, input: { name: string; tokenHash: string }): Promise<string> {
  const id = newId();
  await db.query('INSERT INTO api_tokens (id, name, token_hash) VALUES ($1, $2, $3)', [id, input.name, input.tokenHash]);
  return id;
}

export async function findApiToken(db: Queryable, tokenHash: string): Promise<{ id: string; name: string } | null> {
  const { rows } = await db.query<{ id: string; name: string }>(
    `UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, name`,
    [tokenHash],
  );
  return rows[0] ?? null;
}
