import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll } from 'vitest';
import { createSession as create, type UploadAnswer, uploadPhoto } from '../../bench/lib/api';
import { adminAuth, boothAuth, type RunningServer } from '../../bench/lib/servers';
import { makeTempDir } from '../support/env';
import { startServer } from '../support/server';

export { startServer as startCluster } from '../support/server';

/**
 * The load and fault tests run the production start command (`node server.mjs`, two workers, so
 * live events and the limits are exercised across processes) from the build that
 * tests/support/server.ts uses (NEXT_DIST_DIR, default .next; built when missing).
 */

export { adminAuth, boothAuth, type RunningServer, type UploadAnswer };

export const createSession = (base: string, type: 'upload' | 'download' = 'upload') => create(base, type);
export const upload = (base: string, sessionId: string, jpeg: Buffer, asBooth = false) =>
  uploadPhoto(base, sessionId, jpeg, asBooth);

/** A deterministic noisy photo (~100–300 KB): real decode and encode work, distinct bytes per seed. */
export function noisyJpeg(seed: number, width = 1024, height = 768): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < raw.length; i += 3) {
    s = (s * 1103515245 + 12345) >>> 0;
    const v = s >>> 24;
    raw[i] = (v + seed * 40) & 255;
    raw[i + 1] = v;
    raw[i + 2] = ((i / 3) % width) & 255;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** A small deterministic pseudo-random generator, so every run sends the same inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every file under a folder (relative paths), for orphan and temporary-file checks. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = fs.readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers read loosely by the tests
): Promise<{ status: number; json: any }> {
  const r = await fetch(url, { headers });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

export interface RawRequest {
  sock: net.Socket;
  response: () => string;
  closed: Promise<void>;
}

/**
 * A raw HTTP/1.1 request on 127.0.0.1: the head at once, the body as the test sends it. The
 * socket is added to `track` so the test can destroy every socket it opened.
 */
export async function rawRequest(
  port: number,
  head: string,
  track: { push: (s: net.Socket) => unknown },
): Promise<RawRequest> {
  const sock = net.connect(port, '127.0.0.1');
  track.push(sock);
  await new Promise<void>((r, j) => {
    sock.once('connect', () => r());
    sock.once('error', j);
  });
  let response = '';
  sock.on('data', (d) => {
    response += d.toString('latin1');
  });
  sock.on('error', () => {});
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.write(head);
  return { sock, response: () => response, closed };
}

export interface FreshAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One request on a fresh connection (no keep-alive), so the kernel spreads a test's requests over
 * every worker. A string body is sent as JSON.
 */
export function sendFresh(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<FreshAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(body !== undefined && {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          }),
          ...headers,
        },
        timeout: 20_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(body);
  });
}

/**
 * The production server for the tests of one file: started (two workers unless told) in its own
 * data directory before them, stopped and removed after them.
 */
export function useCluster(env: Record<string, string> = {}, workers = 2) {
  let server: RunningServer | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = makeTempDir();
    server = await startServer(dir, env, workers);
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    server: () => server as RunningServer,
    dataDir: () => dir,
  };
}
