import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { closeDbForTests } from '@/db';
import { resetLoginRateForTests, resetTokensForTests } from '@/lib/auth';
import { stopSweeper } from '@/lib/cleanup';
import { resetConfigForTests } from '@/lib/config';

export const BOOTH_TOKEN = 'test-booth-token-0123456789';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export function makeTempDir(prefix = 'pb-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Points the app at a fresh data directory (and the given env) for the tests of one file. */
export function useTestEnv(env: Record<string, string> = {}): { dataDir: () => string } {
  let dir = '';
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    dir = makeTempDir();
    const all = { DATA_DIR: dir, BOOTH_TOKEN, ADMIN_TOKEN, PUBLIC_URL: 'http://booth.test', ...env };
    for (const [k, v] of Object.entries(all)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    resetConfigForTests();
    resetTokensForTests();
    await resetLoginRateForTests();
    closeDbForTests();
  });
  afterAll(() => {
    stopSweeper();
    closeDbForTests();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfigForTests();
    resetTokensForTests();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dataDir: () => dir };
}
