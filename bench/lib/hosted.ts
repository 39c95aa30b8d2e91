import fs from 'node:fs';
import postgres from 'postgres';
import { type RunningNginx, startNginx } from '../../tests/support/nginx';
import { type RunningPostgres, startPostgres } from '../../tests/support/postgres';
import { createBucket, type RunningSwift, startSwift, swiftClient } from '../../tests/support/swift';
import { type RunningServer, startProduct } from './servers';

/**
 * Hosted mode's stack, shared by the benchmarks (bench/b9-hosted.ts) and the hosted test project
 * (tests/support/hosted-setup.ts, tests/support/hosted.ts): a throwaway PostgreSQL and Swift (S3
 * API) with one bucket, and two `node server.mjs` instances on them behind nginx round-robin, as
 * docs/hosting.md deploys it. Nothing here depends on vitest.
 */

/** Where a hosted stack's PostgreSQL and Swift listen. */
export interface HostedStack {
  /** The cluster's maintenance database: postgres://postgres@127.0.0.1:PORT/postgres */
  postgresUrl: string;
  s3: {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    bucket: string;
  };
}

export interface RunningHostedStack {
  stack: HostedStack;
  pg: RunningPostgres;
  swift: RunningSwift;
  /** Stops PostgreSQL and Swift; the pids they had (for a check that they are gone). */
  stop(): Promise<number[]>;
}

/** Starts PostgreSQL and Swift at once and makes `bucket` (Swift may answer 503 for a moment). */
export async function startHostedStack(bucket: string): Promise<RunningHostedStack> {
  let pg: RunningPostgres | undefined;
  let swift: RunningSwift | undefined;
  const stop = async () => {
    const pids = [pg?.pid ?? 0, ...Object.values(swift?.pids ?? {})].filter((p) => p > 0);
    await Promise.allSettled([pg?.stop(), swift?.stop()]);
    return pids;
  };
  try {
    // Both at once (Swift takes several seconds to answer); whichever started is stopped on failure.
    const [p, s] = await Promise.allSettled([startPostgres(), startSwift()]);
    if (p.status === 'fulfilled') pg = p.value;
    if (s.status === 'fulfilled') swift = s.value;
    if (p.status === 'rejected') throw p.reason;
    if (s.status === 'rejected') throw s.reason;
    if (!pg || !swift) throw new Error('unreachable');
    const s3 = swiftClient(swift);
    try {
      await createBucket(s3, bucket);
    } finally {
      s3.destroy();
    }
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  const stack: HostedStack = {
    postgresUrl: pg.url,
    s3: {
      endpoint: swift.endpoint,
      region: swift.region,
      accessKeyId: swift.accessKeyId,
      secretAccessKey: swift.secretAccessKey,
      bucket,
    },
  };
  return { stack, pg, swift, stop };
}

/** Makes database `name` on the stack's cluster (if absent) and returns its URL. */
export async function createDatabase(stack: HostedStack, name: string): Promise<string> {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name of ours: ${name}`);
  const sql = postgres(stack.postgresUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await sql`select 1 from pg_database where datname = ${name}`;
    if (!exists) await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(stack.postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The S3_PREFIX of a database: its name, so its blobs sit beside nobody else's. */
export const s3PrefixFor = (databaseUrl: string): string => `${new URL(databaseUrl).pathname.slice(1)}/`;

/** The environment that puts the app in hosted mode on `databaseUrl` and its blob prefix. */
export function hostedEnvFor(stack: HostedStack, databaseUrl: string): Record<string, string> {
  const { s3 } = stack;
  return {
    DATABASE_URL: databaseUrl,
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: '1',
    S3_PREFIX: s3PrefixFor(databaseUrl),
  };
}

// ------------------------------------------------------------------------------ the hosted pair

export type HostedInstance = 'a' | 'b';

/**
 * Two `node server.mjs` instances (each with its own DATA_DIR for temporary files, the same
 * DATABASE_URL and S3_* settings) behind nginx round-robin. The object fits where a
 * RunningServer does: `url` and `port` are nginx's, `logs()` both instances', `stop()` stops all
 * three; `.a` and `.b` are the instances themselves (direct URLs, their own logs and stop),
 * `kill()` ends one.
 */
export interface HostedPair extends RunningServer {
  a: RunningServer;
  b: RunningServer;
  nginx: RunningNginx;
  /** The database both instances use. */
  databaseUrl: string;
  /** The env both instances got on top of the caller's (DATABASE_URL, S3_*, TRUST_PROXY). */
  env: Record<string, string>;
  /** Sends `signal` to one instance (its whole process group) and waits until it is gone. */
  kill(instance: HostedInstance, signal?: NodeJS.Signals): Promise<void>;
  /** Which instance answered a response that came through nginx (its X-Upstream-Addr header). */
  servedBy(response: { headers: Headers | Record<string, string | string[] | undefined> }): HostedInstance;
}

export interface HostedPairOptions {
  /** DATA_DIR of instance a; instance b gets `${dataDir}-b` (removed when the process exits). */
  dataDir: string;
  /** The database both instances use. */
  databaseUrl: string;
  /** DATABASE_URL and the S3_* settings (hostedEnvFor), then the caller's own. */
  env: Record<string, string>;
  /** WEB_CONCURRENCY of each instance. */
  workers?: number;
  dist?: string;
  fdLimit?: number;
  /**
   * nginx's client_max_body_size. Default 100m: well above MAX_UPLOAD_MB and the tests' oversized
   * bodies, so the app's own 413 (JSON, photo_too_large) is what a client sees, as in embedded mode.
   */
  maxBodySize?: string | number;
}

const secondDirs = new Set<string>();
process.once('exit', () => {
  for (const d of secondDirs) fs.rmSync(d, { recursive: true, force: true });
});

export async function startHostedPairOn(opts: HostedPairOptions): Promise<HostedPair> {
  const env = { TRUST_PROXY: '1', ...opts.env };
  const dirB = `${opts.dataDir.replace(/\/+$/, '')}-b`;
  fs.mkdirSync(dirB, { recursive: true });
  secondDirs.add(dirB);
  const start = (dataDir: string) =>
    startProduct({ dataDir, env, workers: opts.workers, dist: opts.dist, fdLimit: opts.fdLimit });
  // Both at once, as a deployment's instances start: migrations are serialised by the database.
  const started = await Promise.allSettled([start(opts.dataDir), start(dirB)]);
  const [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  let nginx: RunningNginx | undefined;
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    if (!a || !b) throw new Error('unreachable');
    nginx = await startNginx({
      upstreams: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
      maxBodySize: opts.maxBodySize ?? '100m',
    });
  } catch (err) {
    await Promise.allSettled([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    throw err;
  }
  const instances = { a, b };
  const byAddress = new Map([
    [`127.0.0.1:${a.port}`, 'a' as const],
    [`127.0.0.1:${b.port}`, 'b' as const],
  ]);
  const proxy = nginx;
  return {
    name: 'product (hosted: 2 × node server.mjs behind nginx)',
    url: proxy.url,
    port: proxy.port,
    pid: a.pid,
    proc: a.proc,
    a,
    b,
    nginx: proxy,
    databaseUrl: opts.databaseUrl,
    env,
    logs: () => `${prefixLines('[a] ', a.logs())}${prefixLines('[b] ', b.logs())}`,
    stop: async (signal = 'SIGTERM') => {
      await Promise.all([a.stop(signal), b.stop(signal)]);
      await proxy.stop();
    },
    kill: (instance, signal = 'SIGKILL') => instances[instance].stop(signal),
    servedBy(response) {
      const h = response.headers;
      const raw = h instanceof Headers ? h.get('x-upstream-addr') : h['x-upstream-addr'];
      // After a retry nginx lists every upstream it tried ("A, B"): the last one answered.
      const addr = String(raw ?? '')
        .split(',')
        .at(-1)
        ?.trim();
      const who = addr ? byAddress.get(addr) : undefined;
      if (!who) throw new Error(`not a response through this pair's nginx (x-upstream-addr: ${raw})`);
      return who;
    },
  };
}

function prefixLines(prefix: string, text: string): string {
  if (!text) return '';
  return `${text
    .split('\n')
    .map((l, i, all) => (i === all.length - 1 && l === '' ? l : prefix + l))
    .join('\n')}${text.endsWith('\n') ? '' : '\n'}`;
}

/** How many connections the database `name` has now (pg_stat_activity; this query's own not counted). */
export async function databaseConnections(stack: HostedStack, name: string): Promise<number> {
  const sql = postgres(stack.postgresUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from pg_stat_activity where datname = ${name}`;
    return row?.n ?? 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
