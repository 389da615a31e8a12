import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../src/store/database';
import { migrate } from '../../src/store/migrate';

/** The real PostgreSQL the CI machine runs (trust auth, database `test`). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  db: Database;
  drop(): Promise<void>;
}

export type TestDatabaseKind = 'pglite' | 'postgres';
export const DATABASE_KINDS: TestDatabaseKind[] = ['pglite', 'postgres'];

/** A migrated, empty database: in-memory PGlite, or a throwaway schema on the real PostgreSQL. */
export async function openTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openDatabase({ dataDir: 'memory://' });
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema, poolSize: 5 });
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      const client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}
