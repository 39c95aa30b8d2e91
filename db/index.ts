import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { getConfig } from '@/lib/config';
import { ensureDefaultEvent } from './default-event';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const g = globalThis as unknown as { __pbDb?: { file: string; db: Db } };

export const MIGRATIONS_DIR = path.join(process.cwd(), 'db', 'migrations');

/** Opens a connection with the pragmas every connection must have. */
export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we answer 201, power cut included (not only a process crash).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return drizzle(sqlite, { schema }) as Db;
}

export function runMigrations(db: Db): void {
  // A migration that rebuilds a table (SQLite cannot add a NOT NULL foreign key in place) drops
  // the old one; with foreign keys on, that drop would cascade to the rows that point at it.
  // The pragma is a no-op inside a transaction, so it is set around the migrator's, and every key
  // is checked before they are on again (SQLite's documented procedure for schema changes).
  const sqlite = db.$client;
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    const broken = sqlite.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) {
      throw new Error(
        `database migration left ${broken.length} broken foreign keys: ${JSON.stringify(broken[0])}`,
      );
    }
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
  ensureDefaultEvent(db);
}

/** The one database handle of this process, opened and migrated on first use. */
export function getDb(): Db {
  const file = getConfig().dbFile;
  if (g.__pbDb?.file === file) return g.__pbDb.db;
  const db = openDatabase(file);
  runMigrations(db);
  g.__pbDb = { file, db };
  return db;
}

/** Tests only: close the handle so the next getDb() opens the current DATA_DIR. */
export function closeDbForTests(): void {
  g.__pbDb?.db.$client.close();
  g.__pbDb = undefined;
}
