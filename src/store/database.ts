import fs from 'node:fs';
import path from 'node:path';
import { Pool, type PoolConfig } from 'pg';
import type { Logger } from '../lib/logger';
import { acquirePgliteLock } from './pglite-lock';

export interface QueryResult<T> {
  rows: T[];
}

/** What repositories need: the same SQL runs on PostgreSQL and on embedded PGlite. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** Folder for the embedded database when no databaseUrl is given. */
  dataDir: string;
  /** PostgreSQL schema to use (tests isolate themselves in a throwaway schema). */
  schema?: string;
  poolSize?: number;
  logger?: Logger;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir, options);
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const config: PoolConfig = { connectionString: url, max: options.poolSize ?? 20 };
  if (options.schema) config.options = `-c search_path=${options.schema}`;
  const pool = new Pool(config);
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.logger?.warn({ err }, 'postgres idle client error'));
  if (options.schema) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  }
  await pool.query('SELECT 1');
  return {
    kind: 'postgres',
    query: async <T>(sql: string, params?: unknown[]) => {
      const result = await pool.query(sql, params as unknown[]);
      return { rows: result.rows as T[] };
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async <T>(sql: string, params?: unknown[]) => ({
            rows: (await client.query(sql, params as unknown[])).rows as T[],
          }),
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string, options: OpenDatabaseOptions): Promise<Database> {
  // Loaded lazily: single-process installs use it, PostgreSQL deployments never pay for it.
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = dataDir === 'memory://' ? dataDir : path.resolve(dataDir, 'pglite');
  let releaseLock = () => {};
  if (dir !== 'memory://') {
    fs.mkdirSync(dir, { recursive: true });
    releaseLock = acquirePgliteLock(dir);
  }
  // PGlite already runs without fsync, so full-page images in the WAL cannot make a torn page after
  // an OS crash any less likely; a killed process never leaves one. They only multiplied the WAL.
  const db = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', 'full_page_writes=off'] });
  options.logger?.info({ dataDir: dir }, 'embedded PGlite database opened');
  return {
    kind: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => {
      const result = await db.query<T>(sql, params as unknown[]);
      return { rows: result.rows };
    },
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          query: async <T>(sql: string, params?: unknown[]) => ({
            rows: (await tx.query<T>(sql, params as unknown[])).rows,
          }),
        }),
      ),
    close: async () => {
      try {
        await db.close();
      } finally {
        releaseLock();
      }
    },
  };
}
