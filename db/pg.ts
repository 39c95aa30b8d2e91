import path from 'node:path';
import { eq } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type Config, getConfig } from '@/lib/config';
import { newDefaultEventRow } from './default-event';
import * as schema from './schema.pg';

/**
 * PostgreSQL (hosted mode, DATABASE_URL): the twin of db/index.ts. postgres.js is the driver (its
 * LISTEN connection re-subscribes by itself after a reconnect; tagged-template queries; pure JS).
 */

export type PgDb = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

export const PG_MIGRATIONS_DIR = path.join(process.cwd(), 'db', 'migrations-pg');

/**
 * The session-level advisory lock migratePg() holds: every process migrating the same database
 * waits for the one that got it first, then finds nothing left to do. A constant bigint of our own
 * ("pb-migr" in ASCII), so it clashes with nobody else's lock.
 */
export const MIGRATION_LOCK_ID = 0x70622d6d696772n;

const g = globalThis as unknown as { __pbPg?: { url: string; db: PgDb } };

/**
 * Seconds before the pool's reconnect attempt `retries`: 0.1, 0.2, 0.4 … capped at 2 (with
 * jitter). postgres.js's default grows to 20 s: after PostgreSQL restarted, an instance whose
 * connections failed a few times during the outage held every query (requests, live streams'
 * reads) up to 20 s before connecting again (tests/hosted/cross-instance.test.ts).
 */
export function poolBackoff(retries: number): number {
  return (0.75 + Math.random() / 4) * Math.min(0.05 * 2 ** retries, 2);
}

/** Opens a pool (postgres.js connects lazily, on the first query). */
export function openPg(url: string, options: postgres.Options<Record<string, never>> = {}): PgDb {
  // connect_timeout: postgres.js waits 30 s for a connection by default; a request that asked for
  // one while PostgreSQL restarted waited that long for its 503 (tests/hosted/cross-instance).
  const client = postgres(url, { onnotice: () => {}, backoff: poolBackoff, connect_timeout: 5, ...options });
  return drizzle(client, { schema }) as PgDb;
}

/** The one PostgreSQL handle of this process for `url` (default: DATABASE_URL), made on first use. */
export function getPg(url: string | undefined = getConfig().databaseUrl): PgDb {
  if (!url) throw new Error('DATABASE_URL is not set');
  if (g.__pbPg?.url === url) return g.__pbPg.db;
  const previous = g.__pbPg;
  const db = openPg(url);
  g.__pbPg = { url, db };
  // A handle for another url (tests): the old pool is closed in the background.
  void previous?.db.$client.end({ timeout: 5 });
  return db;
}

/** Closes this process's pool (a script that is done; tests, so the next getPg() opens a fresh one). */
export async function closePg(): Promise<void> {
  const current = g.__pbPg;
  g.__pbPg = undefined;
  await current?.db.$client.end({ timeout: 5 });
}

/**
 * Applies db/migrations-pg, then makes sure the default event exists (with the environment's
 * values, as db/default-event.ts gives SQLite's; migration 0006 there creates it). All of it under
 * the advisory lock, on one dedicated connection (max: 1, so the lock, the migrator's transaction
 * and the insert share it), so several processes starting at once migrate once. Idempotent.
 */
export async function migratePg(url: string, config: Config = getConfig()): Promise<void> {
  const db = openPg(url, { max: 1, idle_timeout: 0 });
  const client = db.$client;
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID.toString()}::bigint)`;
    try {
      await migrate(db, { migrationsFolder: PG_MIGRATIONS_DIR });
      await ensureDefaultEventPg(db, config);
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID.toString()}::bigint)`;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Inserts the default event when there is none (the partial unique index keeps it to one). */
export async function ensureDefaultEventPg(db: PgDb, config: Config = getConfig()): Promise<void> {
  const existing = await db
    .select({ id: schema.events.id })
    .from(schema.events)
    .where(eq(schema.events.isDefault, true))
    .limit(1);
  if (existing.length > 0) return;
  await db.insert(schema.events).values(newDefaultEventRow(config)).onConflictDoNothing();
}

export const closePgForTests = closePg;
