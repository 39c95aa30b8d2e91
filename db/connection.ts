import { AsyncLocalStorage } from 'node:async_hooks';
import { getConfig } from '@/lib/config';
import { type Db, getDb } from './index';
import { getPg, migratePg, type PgDb } from './pg';
import * as sqliteSchema from './schema';
import * as pgSchema from './schema.pg';

/**
 * Which database a statement runs on, and in which transaction. One set of statements
 * (db/queries.ts) serves both engines: the embedded default (SQLite through better-sqlite3, one
 * file beside the photos) and the hosted mode (PostgreSQL through postgres.js, when DATABASE_URL
 * is set). Both schemas have the same tables, columns and row types (tests/schema-drift.test.ts,
 * tests/schema-types.ts), so a query built with the SQLite tables runs on PostgreSQL's as well;
 * the few differences of dialect live here (`run`, `get`, `all`, `dbTime`).
 *
 * Transactions. `transaction(fn)` runs fn in one transaction; every statement of db/queries.ts
 * awaited inside it (however deep in the call) joins it, found through AsyncLocalStorage, so the
 * domain layer never passes a handle around.
 * - PostgreSQL: drizzle's transaction on one pooled connection. A session read inside one locks
 *   its row (SELECT ... FOR UPDATE, see findSession), so the rules decided from it (5 photos,
 *   order_index, status) hold against every other instance.
 * - SQLite: BEGIN IMMEDIATE on the process's one connection (exclusive against other processes).
 *   Its statements are synchronous, but the transaction's body awaits between them, and any other
 *   statement run on that connection meanwhile would silently join (or be rolled back with) it. So
 *   while a transaction is open, every statement outside it waits at a gate, checked in the same
 *   synchronous step that runs it. Transaction bodies therefore hold database work only: no
 *   network, no file or bucket I/O.
 */

export type Dialect = 'sqlite' | 'pg';

interface Scope {
  db: Db;
}

const g = globalThis as unknown as {
  __pbTx?: AsyncLocalStorage<Scope>;
  __pbGate?: Gate;
  __pbPgReady?: { url: string; ready: Promise<void> };
};

g.__pbTx ??= new AsyncLocalStorage<Scope>();
const scopes = g.__pbTx;

class Gate {
  held = false;
  private waiters: (() => void)[] = [];
  /** Resolves once the gate is free (the caller re-checks: another may take it first). */
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    this.held = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

g.__pbGate ??= new Gate();
const gate = g.__pbGate;

export function dialect(): Dialect {
  return getConfig().databaseUrl ? 'pg' : 'sqlite';
}

/**
 * The tables of the current dialect (`t.sessions`, ...). A statement must be built with the
 * tables of the engine it runs on: their columns turn values into parameters (a Date into
 * milliseconds on SQLite, a timestamptz on PostgreSQL; booleans, JSON) and rows back into values.
 * Typed as SQLite's; both schemas have the same tables, columns and row types.
 */
export const t = new Proxy({} as typeof sqliteSchema, {
  get: (_, name) =>
    (dialect() === 'pg' ? (pgSchema as unknown as typeof sqliteSchema) : sqliteSchema)[
      name as keyof typeof sqliteSchema
    ],
});

/**
 * The PostgreSQL handle, migrated: start-up (lib/startup.ts) migrates before serving; anything
 * else that reaches the database first (a script, a test calling route handlers) migrates here,
 * once per process (migratePg is safe to run from many processes at once).
 */
async function pgHandle(url: string): Promise<PgDb> {
  if (g.__pbPgReady?.url !== url) {
    const ready = migratePg(url);
    g.__pbPgReady = { url, ready };
    ready.catch(() => {
      if (g.__pbPgReady?.ready === ready) g.__pbPgReady = undefined;
    });
  }
  await g.__pbPgReady.ready;
  return getPg(url);
}

/** Marks the database at `url` as migrated (start-up did it). */
export function markPgMigrated(url: string): void {
  g.__pbPgReady = { url, ready: Promise.resolve() };
}

/** Tests only: forget that a database was migrated (the next statement migrates again). */
export function resetConnectionForTests(): void {
  g.__pbPgReady = undefined;
}

/** The handle the next statement runs on: the open transaction's, else the process's own. */
export async function conn(): Promise<Db> {
  const scope = scopes.getStore();
  if (scope) return scope.db;
  const url = getConfig().databaseUrl;
  // The PostgreSQL handle is typed as SQLite's: the statements are built once, for both (above).
  if (url) return (await pgHandle(url)) as unknown as Db;
  return getDb();
}

export function inTransaction(): boolean {
  return scopes.getStore() !== undefined;
}

/** SQLite: waits while a transaction of this process is open (unless the statement is in it). */
async function sqliteTurn(): Promise<void> {
  if (inTransaction()) return;
  while (gate.held) await gate.wait();
}

type SyncQuery<T> = { get(): T; all(): T[]; run(): { changes: number } };

/** The first row (or undefined). */
export async function get<T>(query: { get(): T } & PromiseLike<unknown>): Promise<T> {
  if (dialect() === 'sqlite') {
    if (gate.held) await sqliteTurn();
    return query.get();
  }
  const rows = (await query) as T[];
  return rows[0] as T;
}

/** Every row. */
export async function all<T>(query: { all(): T[] } & PromiseLike<unknown>): Promise<T[]> {
  if (dialect() === 'sqlite') {
    if (gate.held) await sqliteTurn();
    return query.all();
  }
  return (await query) as T[];
}

/** Runs a write; resolves to the number of rows it changed. */
export async function run(query: Pick<SyncQuery<unknown>, 'run'> & PromiseLike<unknown>): Promise<number> {
  if (dialect() === 'sqlite') {
    if (gate.held) await sqliteTurn();
    return query.run().changes;
  }
  const result = (await query) as { count?: number } | unknown[];
  return Array.isArray(result) && 'count' in result ? Number(result.count) : 0;
}

/** SQLite: runs a synchronous statement at its turn (the prepared findSession). */
export async function sqliteStatement<T>(fn: () => T): Promise<T> {
  if (gate.held) await sqliteTurn();
  return fn();
}

/** A time as a raw SQL parameter: SQLite stores milliseconds, PostgreSQL timestamptz. */
export function dbTime(d: Date): number | string {
  return dialect() === 'sqlite' ? d.getTime() : d.toISOString();
}

/** Runs fn in one transaction (joined when one is open already). See the comment at the top. */
export async function transaction<T>(fn: () => Promise<T> | T): Promise<T> {
  if (inTransaction()) return fn();
  const url = getConfig().databaseUrl;
  if (url) {
    const pg = await pgHandle(url);
    return pg.transaction((tx) => scopes.run({ db: tx as unknown as Db }, async () => fn()));
  }
  const db = getDb();
  while (gate.held) await gate.wait();
  gate.held = true;
  const client = db.$client;
  try {
    client.exec('BEGIN IMMEDIATE');
    try {
      const result = await scopes.run({ db }, async () => fn());
      client.exec('COMMIT');
      return result;
    } catch (err) {
      if (client.inTransaction) client.exec('ROLLBACK');
      throw err;
    }
  } finally {
    gate.release();
  }
}

/** The driver's error code, looking through drizzle's wrapper (DrizzleQueryError keeps it as cause). */
function errorCode(err: unknown): unknown {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code ?? e?.cause?.code;
}

/** A foreign key refused the write (the row it points at was deleted meanwhile). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/**
 * The database cannot answer for a moment: SQLite busy past its timeout; PostgreSQL restarting,
 * unreachable, out of connections, or this transaction lost to a deadlock / serialization failure.
 * The client is told to try again (503), never a bare 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = errorCode(err);
  // A socket error of the database's own connection: postgres.js (and drizzle's wrapper) put the
  // failed query on it; the client's own reset carries none (lib/http.ts tells that one apart).
  const e = err as { query?: unknown } | null;
  if (typeof e?.query === 'string' && (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT'))
    return true;
  return (
    code === 'SQLITE_BUSY' ||
    code === 'ECONNREFUSED' ||
    code === 'CONNECTION_CLOSED' ||
    code === 'CONNECTION_ENDED' ||
    code === 'CONNECTION_DESTROYED' ||
    code === 'CONNECT_TIMEOUT' ||
    (typeof code === 'string' && /^(57P0[123]|53300|40001|40P01|08\d\d\d)$/.test(code))
  );
}

/**
 * Opens and migrates this process's database before it serves (server start-up, the bot, `npm run
 * db:migrate`). Hosted: every instance may start at once; the advisory lock in migratePg lets one
 * migrate while the others wait, then find nothing left to do. Returns where the data is.
 */
export async function prepareDatabase(): Promise<string> {
  const config = getConfig();
  const url = config.databaseUrl;
  if (!url) {
    getDb();
    return config.dbFile;
  }
  await migratePg(url, config);
  markPgMigrated(url);
  return `PostgreSQL ${new URL(url).host}${new URL(url).pathname}`;
}
