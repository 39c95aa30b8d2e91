import path from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { getDb } from '@/db';
import { closePgForTests } from '@/db/pg';
import { isHosted, testDatabaseUrl } from './mode';

/**
 * Plain SQL on the database a test's app uses, in either mode, for what tests check or arrange
 * behind the API's back (rows left, a rate-limit window emptied). Embedded: the SQLite file;
 * hosted: the PostgreSQL database. `where`: the data directory a server test started its server on
 * (startServer), default the in-process app's own (useTestEnv). Write SQL both dialects accept:
 * `?` placeholders (turned into $1, $2… for PostgreSQL), no SQLite-only functions. What differs
 * comes back as each database gives it: booleans (1/0 vs true/false) and timestamps (numbers vs
 * Date); counts and other 64-bit integers are numbers in both.
 */

export type Row = Record<string, unknown>;

/** The PostgreSQL URL a server on `dataDir` (or, without one, the in-process app) uses. */
function postgresUrl(where?: string): string {
  if (where === undefined) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('hosted mode without DATABASE_URL: call useTestEnv() in the file');
    return url;
  }
  // startHostedPair's database for a data directory (mode.ts createTestDatabase(dataDir)).
  return testDatabaseUrl(where);
}

const toPostgres = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

async function onPostgres<T>(where: string | undefined, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(postgresUrl(where), {
    max: 1,
    onnotice: () => {},
    // bigint (count(*), sums) as a number, as SQLite gives it.
    types: { bigint: { to: 20, from: [20], serialize: String, parse: Number } },
  });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function onSqlite<T>(where: string | undefined, fn: (db: Database.Database) => T): T {
  if (where === undefined) return fn(getDb().$client);
  const db = new Database(path.join(where, 'photobooth.db'));
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The rows a SELECT (or … RETURNING) gives. */
export async function dbRows<T extends Row = Row>(
  sql: string,
  params: unknown[] = [],
  where?: string,
): Promise<T[]> {
  if (isHosted()) {
    return onPostgres(where, async (pg) => {
      const rows = await pg.unsafe(toPostgres(sql), params as postgres.ParameterOrJSON<never>[]);
      return rows.map((r) => ({ ...r }) as unknown as T);
    });
  }
  return onSqlite(where, (db) => db.prepare(sql).all(...params) as T[]);
}

/** A statement without rows (insert, update, delete); resolves to how many rows it changed. */
export async function dbRun(sql: string, params: unknown[] = [], where?: string): Promise<number> {
  if (isHosted()) {
    return onPostgres(where, async (pg) => {
      const result = await pg.unsafe(toPostgres(sql), params as postgres.ParameterOrJSON<never>[]);
      return result.count;
    });
  }
  return onSqlite(where, (db) => db.prepare(sql).run(...params).changes);
}

/**
 * Makes the in-process app's database refuse every write (reads still answer) until the returned
 * function is called, as a database gone read-only would. Embedded: SQLite's query_only on the
 * app's connection. Hosted: the database's default_transaction_read_only, and the app's pool
 * closed so that its next connections take it (and again after, to be writable again).
 */
export async function refuseWrites(): Promise<() => Promise<void>> {
  if (!isHosted()) {
    const db = getDb().$client;
    db.pragma('query_only = ON');
    return async () => {
      db.pragma('query_only = OFF');
    };
  }
  const name = new URL(postgresUrl()).pathname.slice(1);
  const readOnly = (on: boolean) =>
    onPostgres(undefined, async (pg) => {
      // This session's own transactions stay writable whatever the database's default.
      await pg.unsafe('set default_transaction_read_only = off');
      await pg.unsafe(`alter database "${name}" set default_transaction_read_only = ${on ? 'on' : 'off'}`);
    });
  await readOnly(true);
  await closePgForTests();
  return async () => {
    await readOnly(false);
    await closePgForTests();
  };
}
