import { createHash, randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type HostedStack, hostedEnvFor, s3PrefixFor } from '../../bench/lib/hosted';

/**
 * The two modes the API and server suites run in (vitest.config.mts projects):
 * - `embedded`: SQLite and photo files in a throwaway DATA_DIR per test file (the booth laptop);
 * - `hosted`: one PostgreSQL and one OpenStack Swift (S3 API) for the whole run, started by
 *   tests/support/hosted-setup.ts; each test file (and each data directory a server test starts
 *   a server on) gets its own database and its own S3_PREFIX in the one bucket, and server tests
 *   talk to two `node server.mjs` instances behind nginx (tests/support/hosted.ts).
 * The project sets PB_TEST_MODE; tests ask `isHosted()` only where the two modes differ on purpose.
 */

export type TestMode = 'embedded' | 'hosted';

/** Where the hosted project's shared PostgreSQL and Swift listen (provided by hosted-setup.ts). */
export type { HostedStack };

declare module 'vitest' {
  export interface ProvidedContext {
    hostedStack: HostedStack | null;
  }
}

export function testMode(): TestMode {
  return process.env.PB_TEST_MODE === 'hosted' ? 'hosted' : 'embedded';
}

export const isHosted = (): boolean => testMode() === 'hosted';

/** The shared PostgreSQL and Swift of the hosted run (throws in embedded mode). */
export function hostedStack(): HostedStack {
  const stack = isHosted() ? inject('hostedStack') : null;
  if (!stack)
    throw new Error('no hosted stack: this runs only in the hosted vitest project (PB_TEST_MODE=hosted)');
  return stack;
}

/** A database name of our own: lower case, at most 63 bytes, unique per `seed` (or random). */
export function testDatabaseName(seed?: string): string {
  const tag = seed
    ? createHash('sha256').update(seed).digest('hex').slice(0, 20)
    : `${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`;
  return `pb_test_${tag}`;
}

/** The URL of the database createTestDatabase(seed) makes (or made) for a seed. */
export const testDatabaseUrl = (seed: string): string => urlFor(testDatabaseName(seed));

function urlFor(database: string): string {
  const url = new URL(hostedStack().postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withMaintenance<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(hostedStack().postgresUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Makes an empty database on the shared cluster and returns its URL. With a `seed` (a data
 * directory) the same seed gives the same database, created once: a server restarted on the same
 * data directory finds its rows again, as an embedded one finds its SQLite file.
 */
export async function createTestDatabase(seed?: string): Promise<string> {
  const name = testDatabaseName(seed);
  await withMaintenance(async (sql) => {
    const [exists] = await sql`select 1 from pg_database where datname = ${name}`;
    if (!exists) await sql.unsafe(`create database "${name}"`);
  });
  return urlFor(name);
}

/** Drops a database made by createTestDatabase (its connections cut first). */
export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^pb_test_[a-z0-9_]+$/.test(name)) throw new Error(`not a test database: ${name}`);
  await withMaintenance((sql) => sql.unsafe(`drop database if exists "${name}" with (force)`));
}

/** The S3_PREFIX of a test database: its name, so a file's blobs sit beside nobody else's. */
export { s3PrefixFor };

/** The environment that puts the app in hosted mode on `databaseUrl` and its blob prefix. */
export function hostedEnv(databaseUrl: string): Record<string, string> {
  return hostedEnvFor(hostedStack(), databaseUrl);
}
