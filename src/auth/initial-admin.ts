import type { Logger } from '../lib/logger';
import type { Database } from '../store/database';
import { countUsers, createUser } from '../store/users.repository';
import { generatePassword, hashPassword } from './password';

/**
 * First start: create `admin` with a generated password when there are no users at all. The caller
 * prints the password once; it is stored only as a scrypt hash.
 */
export async function ensureInitialAdmin(db: Database, logger: Logger): Promise<{ name: string; password: string } | null> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const created = await db.transaction(async (tx) => {
    // Several processes may start at once against one PostgreSQL; only one creates the admin.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [7_411_2027]);
    if ((await countUsers(tx)) > 0) return false;
    await createUser(tx, { name: 'admin', role: 'admin', passwordHash });
    return true;
  });
  if (!created) return null;
  logger.info({ user: 'admin' }, 'initial admin account created');
  return { name: 'admin', password };
}
