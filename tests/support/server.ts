import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ADMIN_TOKEN, BOOTH_TOKEN } from './env';

/**
 * Starts the production server (`next start`) on a free loopback port with its own data
 * directory, for tests that need a real process: crashes, SSE over HTTP, concurrency.
 */

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

export function ensureBuilt(): void {
  if (fs.existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID'))) return;
  execFileSync(process.execPath, [NEXT_BIN, 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env },
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestServer {
  url: string;
  port: number;
  proc: ChildProcess;
  logs: () => string;
  /** SIGKILL: no shutdown hook runs, as in a crash or a power cut of the process. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

export async function startServer(
  dataDir: string,
  env: Record<string, string> = {},
  port?: number,
): Promise<TestServer> {
  ensureBuilt();
  const p = port ?? (await freePort());
  let out = '';
  const proc = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(p), '-H', '127.0.0.1'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATA_DIR: dataDir,
      BOOTH_TOKEN,
      ADMIN_TOKEN,
      PUBLIC_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not start in 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port: p,
    proc,
    logs: () => out,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}

export const auth = (role: 'booth' | 'admin') => ({
  authorization: `Bearer ${role === 'booth' ? BOOTH_TOKEN : ADMIN_TOKEN}`,
});
