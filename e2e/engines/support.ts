import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { E2E_BOOTH_TOKEN, E2E_ORIGIN, E2E_PORT } from '../env';

/**
 * What the WebKit and Firefox journeys share: the server (e2e/server.mjs, reusing the
 * .next-e2e build that Playwright made), the booth's side through the API, child processes
 * stopped by pid, and bounded waits.
 */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than undefined, for at most `timeoutMs`; `what`
 * may be a function, to describe the last state seen when it times out.
 */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  const label = typeof what === 'string' ? what : what();
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${label}${last ? ` (last error: ${last})` : ''}`,
  );
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends SIGTERM to a child by its pid, then SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timer])) === 'timeout' && child.exitCode === null) {
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}

/** Keeps the last lines a child printed, to show them when a journey fails. */
export function tail(child: ChildProcess, lines: string[], max = 80) {
  const push = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim()) lines.push(line);
    }
    if (lines.length > max) lines.splice(0, lines.length - max);
  };
  child.stdout?.on('data', push);
  child.stderr?.on('data', push);
}

export interface TestServer {
  origin: string;
  log: string[];
  stop(): Promise<void>;
}

/**
 * The production server of the Playwright journeys (e2e/server.mjs: two workers, known tokens,
 * a throwaway data directory), on E2E_PORT. E2E_SKIP_BUILD=1: it reuses .next-e2e and builds
 * only when there is none.
 */
export async function startServer(): Promise<TestServer> {
  const log: string[] = [];
  const child = spawn(process.execPath, [path.join('e2e', 'server.mjs')], {
    cwd: process.cwd(),
    env: { ...process.env, E2E_SKIP_BUILD: '1', E2E_PORT: String(E2E_PORT) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  tail(child, log);
  const stop = () => stopChild(child, 15_000);
  try {
    // A build (when .next-e2e is missing) takes minutes on a 2-core machine; a start, seconds.
    await waitFor(
      `the server on ${E2E_ORIGIN}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`e2e/server.mjs exited with ${child.exitCode}`);
        const res = await fetch(`${E2E_ORIGIN}/api/health`);
        return res.ok ? true : undefined;
      },
      15 * 60_000,
      500,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${log.join('\n')}`);
  }
  return { origin: E2E_ORIGIN, log, stop };
}

const booth = { authorization: `Bearer ${E2E_BOOTH_TOKEN}` };

async function api<T>(method: string, url: string, body?: unknown, expected = 200): Promise<T> {
  const res = await fetch(`${E2E_ORIGIN}${url}`, {
    method,
    headers: body === undefined ? booth : { ...booth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected)
    throw new Error(`${method} ${url} → ${res.status} (wanted ${expected}): ${text}`);
  return JSON.parse(text) as T;
}

export interface ApiPhoto {
  id: string;
  order_index: number;
  width: number;
  height: number;
  url: string;
  thumb_url: string;
}

export interface ApiSession {
  id: string;
  status: string;
  photo_count: number;
  has_result: boolean;
}

/** What the booth does when a guest taps "Send photos from your phone". */
export async function createUploadSession(): Promise<ApiSession> {
  return (await api<{ session: ApiSession }>('POST', '/api/session/create', { type: 'upload' }, 201)).session;
}

export async function listPhotos(id: string): Promise<ApiPhoto[]> {
  return (await api<{ photos: ApiPhoto[] }>('GET', `/api/session/${id}/photos?type=uploaded`)).photos;
}

/** What the booth does on "Make my picture". */
export async function compose(id: string, layout: 'grid' | 'strip' | 'single' = 'grid') {
  return api<{ session: ApiSession }>('POST', `/api/session/${id}/compose`, { layout }, 201);
}

export async function fetchBytes(url: string): Promise<Buffer> {
  const res = await fetch(`${E2E_ORIGIN}${url}`);
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
