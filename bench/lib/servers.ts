import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, sleep } from './util';

/**
 * The servers the benchmarks and the load tests talk to, each on a free 127.0.0.1 port:
 * the product (the production start command, `node server.mjs`), the original Flask service
 * (../shared/peers/seed-flask), and a bare node:http + better-sqlite3 server.
 */

export const ROOT = path.resolve(__dirname, '..', '..');
export const BOOTH_TOKEN = 'bench-booth-token-0123456789';
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const boothAuth = { authorization: `Bearer ${BOOTH_TOKEN}` };
export const adminAuth = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface RunningServer {
  name: string;
  url: string;
  port: number;
  pid: number;
  proc: ChildProcess;
  logs: () => string;
  /** Sends the signal to the server process and waits for it to exit (SIGKILL after 10 s). */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

// Servers run in their own process groups; make sure none outlives this process.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) {
    try {
      process.kill(-(p.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function track(name: string, proc: ChildProcess, port: number): RunningServer {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
  });
  proc.stderr?.on('data', (d) => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
  });
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode) resolve();
    else proc.once('exit', () => resolve());
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: proc.pid as number,
    proc,
    logs: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && !proc.signalCode) {
        // The server runs in its own process group: reach its children too (gunicorn and cluster workers).
        try {
          process.kill(-(proc.pid as number), signal);
        } catch {
          proc.kill(signal);
        }
        const t = setTimeout(() => {
          try {
            process.kill(-(proc.pid as number), 'SIGKILL');
          } catch {
            // gone
          }
        }, 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

async function waitFor(
  server: RunningServer,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.proc.exitCode !== null || server.proc.signalCode) {
      throw new Error(
        `${server.name} exited (${server.proc.exitCode ?? server.proc.signalCode}):\n${server.logs()}`,
      );
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      await server.stop('SIGKILL');
      throw new Error(`${server.name} did not start in ${timeoutMs / 1000} s:\n${server.logs()}`);
    }
    await sleep(100);
  }
}

const healthy = (url: string) => async () => (await fetch(`${url}/api/health`)).ok;

// ---------------------------------------------------------------------------------- the product

/** The build folder the product runs from: NEXT_DIST_DIR, else Next's default. */
export const distDir = () => process.env.NEXT_DIST_DIR || '.next';

const SOURCE_DIRS = ['app', 'lib', 'db', 'components', 'i18n', 'messages', 'public'];
const SOURCE_FILES = [
  'next.config.mjs',
  'instrumentation.ts',
  'package.json',
  'postcss.config.mjs',
  'proxy.ts',
  'middleware.ts',
];

function newestSourceMtime(): number {
  let newest = 0;
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const d of SOURCE_DIRS) walk(path.join(ROOT, d));
  for (const f of SOURCE_FILES) walk(path.join(ROOT, f));
  return newest;
}

/**
 * Builds the product into `dir` when there is no build there or a source file is newer.
 * Type checking is left to `npm run typecheck` (NEXT_SKIP_TYPECHECK); the tsconfig.json and
 * next-env.d.ts that `next build` rewrites for a non-default folder are put back as they were.
 */
export function ensureBuild(
  dir = distDir(),
  opts: { force?: boolean; log?: (s: string) => void } = {},
): boolean {
  const buildId = path.join(ROOT, dir, 'BUILD_ID');
  if (!opts.force && fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs > newestSourceMtime())
    return false;
  opts.log?.(`building the product into ${dir} ...`);
  const keep = ['tsconfig.json', 'next-env.d.ts'].map((f) => {
    const file = path.join(ROOT, f);
    return { file, text: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null };
  });
  try {
    nextBuild(ROOT, { NEXT_DIST_DIR: dir, NEXT_SKIP_TYPECHECK: '1' });
  } finally {
    for (const k of keep) {
      if (k.text !== null && fs.readFileSync(k.file, 'utf8') !== k.text) fs.writeFileSync(k.file, k.text);
    }
  }
  return true;
}

export const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

/**
 * `next build` in `cwd` (the product, or the benchmark's empty floor app), its output captured;
 * on failure the error carries what Next printed. The one build runner of bench/ and tests/.
 */
export function nextBuild(
  cwd: string,
  env: Record<string, string> = {},
  opts: { inherit?: boolean } = {},
): void {
  try {
    execFileSync(process.execPath, [NEXT_BIN, 'build'], {
      cwd,
      stdio: opts.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `next build in ${cwd} failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`,
    );
  }
}

export interface ProductOptions {
  dataDir: string;
  env?: Record<string, string>;
  port?: number;
  /** Workers of server.mjs (WEB_CONCURRENCY); default: the server's own choice. */
  workers?: number;
  /** 'cluster' = the production command `node server.mjs`; 'next-start' = a single `next start`. */
  mode?: 'cluster' | 'next-start';
  dist?: string;
  /** Extra node flags for the server process (server.mjs passes them on to its workers). */
  nodeArgs?: string[];
  /** Starts the server under `ulimit -n` this low (its soft and hard limit on open files). */
  fdLimit?: number;
}

export async function startProduct(opts: ProductOptions): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const mode = opts.mode ?? 'cluster';
  const args =
    mode === 'cluster'
      ? [path.join(ROOT, 'server.mjs'), '-p', String(port), '-H', '127.0.0.1']
      : [
          path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'),
          'start',
          '-p',
          String(port),
          '-H',
          '127.0.0.1',
        ];
  const argv = [...(opts.nodeArgs ?? []), ...args];
  // bash execs node, so the pid (and process group) is the server's own.
  const [cmd, cmdArgs] = opts.fdLimit
    ? ['bash', ['-c', `ulimit -n ${Math.floor(opts.fdLimit)} && exec "$0" "$@"`, process.execPath, ...argv]]
    : [process.execPath, argv];
  const proc = spawn(cmd as string, cmdArgs as string[], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_DIST_DIR: opts.dist ?? distDir(),
      DATA_DIR: opts.dataDir,
      BOOTH_TOKEN,
      ADMIN_TOKEN,
      PUBLIC_URL: '',
      HOSTNAME: '127.0.0.1',
      ...(opts.workers ? { WEB_CONCURRENCY: String(opts.workers) } : {}),
      // Every simulated client here is 127.0.0.1: the caps per client address (lib/limits.ts)
      // would make one phone of them all. The caps for the whole server stay as configured.
      MAX_EVENT_STREAMS_PER_ADDRESS: '100000',
      MAX_UPLOADS_PER_ADDRESS: '100000',
      ...opts.env,
    },
  });
  const server = track(`product (${mode})`, proc, port);
  await waitFor(
    server,
    async () => {
      if (!(await healthy(server.url)())) return false;
      // With several workers, wait until every one listens (the primary says so).
      return (
        mode !== 'cluster' ||
        opts.workers === 1 ||
        /listening on .* (with \d+ workers|single process)/.test(server.logs())
      );
    },
    90_000,
  );
  return server;
}

// --------------------------------------------------------------------------------- the baselines

export const SEED_FLASK_DIR = path.resolve(ROOT, '..', 'shared', 'peers', 'seed-flask');
export const seedFlaskAvailable = () => fs.existsSync(path.join(SEED_FLASK_DIR, 'run.sh'));

/** The original Flask service: gunicorn, 2 workers × 4 threads (it installs its Debian packages itself). */
export async function startFlask(dbPath: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const proc = spawn('bash', [path.join(SEED_FLASK_DIR, 'run.sh'), String(port), dbPath, 'gunicorn'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const server = track('seed-flask (gunicorn 2×4)', proc, port);
  // The first run may install Debian packages.
  await waitFor(server, healthy(server.url), 300_000);
  return server;
}

/** A bare node:http + better-sqlite3 server doing the session lookup (bench/bare-server.mjs). */
export async function startBare(dbPath: string): Promise<RunningServer> {
  const port = await freePort();
  const proc = spawn(process.execPath, [path.join(ROOT, 'bench', 'bare-server.mjs'), String(port), dbPath], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = track('bare node:http + better-sqlite3', proc, port);
  await waitFor(server, healthy(server.url), 20_000);
  return server;
}
