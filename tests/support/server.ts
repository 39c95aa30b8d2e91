import fs from 'node:fs';
import path from 'node:path';
import { nextBuild, type RunningServer, startProduct } from '../../bench/lib/servers';
import { startHostedPair } from './hosted';
import { isHosted } from './mode';

export { adminAuth, boothAuth } from '../../bench/lib/servers';
export { type HostedPair, startHostedPair } from './hosted';
export { isHosted, testMode } from './mode';

/**
 * Starts the production server (`node server.mjs`, two workers unless told otherwise) on a free
 * loopback port with its own data directory, for tests that need real processes: SSE over HTTP,
 * start-up, crashes, load. The same starter as the benchmarks (bench/lib/servers.ts).
 */

const ROOT = process.cwd();

export function distDir(): string {
  return process.env.NEXT_DIST_DIR || '.next';
}

export function ensureBuilt(): void {
  if (fs.existsSync(path.join(ROOT, distDir(), 'BUILD_ID'))) return;
  nextBuild(ROOT, {}, { inherit: true });
}

/**
 * In the hosted test project (PB_TEST_MODE=hosted) the same call starts two instances on the
 * run's PostgreSQL and Swift behind nginx (tests/support/hosted.ts), the database and blob prefix
 * belonging to `dataDir`: a restart on the same data directory finds the same rows and bytes.
 */
export async function startServer(
  dataDir: string,
  env: Record<string, string> = {},
  workers = 2,
  opts: { fdLimit?: number } = {},
): Promise<RunningServer> {
  ensureBuilt();
  if (isHosted()) return startHostedPair({ dataDir, env, workers, dist: distDir(), fdLimit: opts.fdLimit });
  return startProduct({ dataDir, env, workers, dist: distDir(), fdLimit: opts.fdLimit });
}
