import fs from 'node:fs';
import { type RunningServer, startProduct } from '../../bench/lib/servers';
import { createTestDatabase, hostedEnv } from './mode';
import { type RunningNginx, startNginx } from './nginx';

/**
 * Hosted mode's server for the server tests: two `node server.mjs` instances (each with its own
 * DATA_DIR for temporary files, the same DATABASE_URL and S3_* settings) behind nginx
 * round-robin, as docs/hosting.md deploys it. The object fits where startServer()'s RunningServer
 * does: `url` and `port` are nginx's, `logs()` both instances', `stop()` stops all three; `.a` and
 * `.b` are the instances themselves (direct URLs, their own logs and stop), `kill()` ends one.
 */

export type HostedInstance = 'a' | 'b';

export interface HostedPair extends RunningServer {
  a: RunningServer;
  b: RunningServer;
  nginx: RunningNginx;
  /** The database both instances use (made for this data directory, kept across restarts). */
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
  env?: Record<string, string>;
  /** WEB_CONCURRENCY of each instance. */
  workers?: number;
  dist?: string;
  fdLimit?: number;
  /**
   * nginx's client_max_body_size. Default 100m: well above MAX_UPLOAD_MB and the tests' oversized
   * bodies, so the app's own 413 (JSON, photo_too_large) is what a test sees, as in embedded mode.
   */
  maxBodySize?: string | number;
  /** The database (default: the one made for `dataDir`, created on first use). */
  databaseUrl?: string;
}

const secondDirs = new Set<string>();
process.once('exit', () => {
  for (const d of secondDirs) fs.rmSync(d, { recursive: true, force: true });
});

export async function startHostedPair(opts: HostedPairOptions): Promise<HostedPair> {
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase(opts.dataDir));
  const env = { TRUST_PROXY: '1', ...hostedEnv(databaseUrl), ...opts.env };
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
    databaseUrl,
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
