import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { closeDbForTests } from '@/db';
import { markPgMigrated, resetConnectionForTests } from '@/db/connection';
import { closePgForTests, migratePg } from '@/db/pg';
import { resetLoginRateForTests, resetTokensForTests } from '@/lib/auth';
import { resetBlobStoreForTests } from '@/lib/blobs';
import { stopSweeper } from '@/lib/cleanup';
import { resetConfigForTests } from '@/lib/config';
import { createTestDatabase, dropTestDatabase, hostedEnv, isHosted } from './mode';

export const BOOTH_TOKEN = 'test-booth-token-0123456789';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export function makeTempDir(prefix = 'pb-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestEnv {
  /** This file's DATA_DIR (in hosted mode: only temporary files live there). */
  dataDir: () => string;
  /** Hosted mode: this file's own database on the run's PostgreSQL (undefined when embedded). */
  databaseUrl: () => string | undefined;
}

/** Every per-process handle the app caches from the environment, forgotten. */
async function forgetHandles(): Promise<void> {
  resetConfigForTests();
  resetTokensForTests();
  resetBlobStoreForTests();
  closeDbForTests();
  resetConnectionForTests();
  await closePgForTests();
}

/**
 * Points the app at a fresh data directory (and the given env) for the tests of one file. In the
 * hosted project (tests/support/mode.ts) the file also gets its own fresh, migrated database on the
 * run's PostgreSQL and its own S3_PREFIX in the run's bucket (DATABASE_URL, S3_*), dropped after.
 * The caller's env wins over both.
 */
export function useTestEnv(env: Record<string, string> = {}): TestEnv {
  let dir = '';
  let databaseUrl: string | undefined;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    dir = makeTempDir();
    if (isHosted()) databaseUrl = await createTestDatabase();
    const all = {
      DATA_DIR: dir,
      BOOTH_TOKEN,
      ADMIN_TOKEN,
      PUBLIC_URL: 'http://booth.test',
      ...(databaseUrl && hostedEnv(databaseUrl)),
      ...env,
    };
    for (const [k, v] of Object.entries(all)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    await forgetHandles();
    // As server.mjs does before serving (SQLite's getDb() migrates on first use).
    if (databaseUrl) {
      await migratePg(databaseUrl);
      markPgMigrated(databaseUrl);
    }
    await resetLoginRateForTests();
  });
  afterAll(async () => {
    stopSweeper();
    closeDbForTests();
    await closePgForTests();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await forgetHandles();
    fs.rmSync(dir, { recursive: true, force: true });
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });
  return { dataDir: () => dir, databaseUrl: () => databaseUrl };
}
