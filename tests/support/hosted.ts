import {
  type HostedPair,
  type HostedPairOptions as PairOnOptions,
  startHostedPairOn,
} from '../../bench/lib/hosted';
import { createTestDatabase, hostedEnv } from './mode';

/**
 * Hosted mode's server for the server tests: two `node server.mjs` instances behind nginx on the
 * run's PostgreSQL and Swift (bench/lib/hosted.ts startHostedPairOn, shared with the benchmarks),
 * the database and blob prefix belonging to `dataDir`.
 */

export type { HostedInstance, HostedPair } from '../../bench/lib/hosted';

export interface HostedPairOptions extends Omit<PairOnOptions, 'databaseUrl' | 'env'> {
  env?: Record<string, string>;
  /** The database (default: the one made for `dataDir`, created on first use). */
  databaseUrl?: string;
}

export async function startHostedPair(opts: HostedPairOptions): Promise<HostedPair> {
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase(opts.dataDir));
  return startHostedPairOn({ ...opts, databaseUrl, env: { ...hostedEnv(databaseUrl), ...opts.env } });
}
