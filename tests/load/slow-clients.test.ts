import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../../bench/lib/images';
import { percentile } from '../../bench/lib/util';
import { makeTempDir } from '../support/env';
import {
  boothAuth,
  createSession,
  getJson,
  listFiles,
  noisyJpeg,
  type RunningServer,
  rawRequest as rawOn,
  startCluster,
  upload,
  waitUntil,
} from './support';

/**
 * Slow and broken clients against the production server: a multipart body trickling in at
 * 1 KB/s, an upload cut off halfway, 200 event streams that are never read, and streams whose
 * reader stalls while events pile up. Meanwhile everyone else keeps being answered.
 * Latency bounds here are deliberately generous (the machine running the tests is shared);
 * BENCHMARKS.md has the real numbers.
 */

let server: RunningServer;
let dataDir: string;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  dataDir = makeTempDir('pb-load-slow-');
  server = await startCluster(dataDir);
}, 300_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const rawRequest = (head: string) => rawOn(server.port, head, sockets);

/** Requests from a well-behaved client while something else goes on: latencies in ms. */
function probe(url: string): { stop: () => Promise<{ latencies: number[]; bad: number }> } {
  const latencies: number[] = [];
  let bad = 0;
  let running = true;
  const loop = (async () => {
    for (let i = 0; running && i < 600; i++) {
      const t0 = performance.now();
      const r = await fetch(url).catch(() => undefined);
      if (r?.status !== 200) bad++;
      await r?.arrayBuffer();
      latencies.push(performance.now() - t0);
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { latencies, bad };
    },
  };
}

/** Established connections the server holds (Linux /proc/net/tcp). */
function serverConnections(): number {
  const port = server.port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${port}`) && cols[3] === '01') n++;
    }
  }
  return n;
}

describe('slow and broken clients (node server.mjs, 2 workers)', () => {
  it('an upload cut off halfway frees its temporary file and takes no slot', async () => {
    const id = await createSession(server.url);
    const { body, contentType } = multipartBody(await noisyJpeg(3, 1600, 1200));
    const req = await rawRequest(
      `POST /api/session/${id}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    req.sock.write(body.subarray(0, Math.floor(body.length / 2)));
    const tmp = path.join(dataDir, 'tmp');
    await waitUntil(() => listFiles(tmp).length === 1, 10_000, 'the upload to reach its temporary file');
    req.sock.destroy();
    await waitUntil(() => listFiles(tmp).length === 0, 10_000, 'the temporary file to be removed');
    const { json } = await getJson(`${server.url}/api/session/${id}`);
    expect(json.session.photo_count).toBe(0);
    // All five slots are still there.
    const photo = await noisyJpeg(4, 640, 480);
    for (let i = 0; i < 5; i++) expect((await upload(server.url, id, photo)).status).toBe(201);
    expect(server.logs()).not.toMatch(/died|uncaught/i);
  });

  it('a body trickling in at 1 KB/s is stored in the end, and nobody else waits for it', async () => {
    const id = await createSession(server.url);
    const small = await noisyJpeg(5, 80, 60);
    const { body, contentType } = multipartBody(small);
    // A few seconds of trickle: long enough to overlap many other requests.
    expect(body.length).toBeGreaterThan(3 * 1024);
    expect(body.length).toBeLessThan(12 * 1024);
    const check = await createSession(server.url);
    const others = probe(`${server.url}/api/session/${check}`);
    const req = await rawRequest(
      `POST /api/session/${id}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    for (let off = 0; off < body.length; off += 1024) {
      req.sock.write(body.subarray(off, off + 1024));
      await new Promise((r) => setTimeout(r, 1000));
    }
    await req.closed;
    const { latencies, bad } = await others.stop();
    expect(Number(/^HTTP\/1\.1 (\d{3})/.exec(req.response())?.[1])).toBe(201);
    expect(bad).toBe(0);
    expect(latencies.length).toBeGreaterThan(20);
    console.log(
      `[slow-clients] during a 1 KB/s upload: ${latencies.length} other requests, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    expect(percentile(latencies, 99)).toBeLessThan(1000);
  }, 60_000);

  it('200 event streams that are never read do not slow anyone down, and are let go when they leave', async () => {
    const id = await createSession(server.url);
    const before = serverConnections();
    const idle: net.Socket[] = [];
    for (let i = 0; i < 200; i++) {
      const { sock } = await rawRequest(`GET /api/session/${id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      sock.pause();
      idle.push(sock);
    }
    await waitUntil(() => serverConnections() >= before + 200, 10_000, '200 streams to be held');
    // Everyone else, including uploads to the very session those streams watch, goes on.
    const others = probe(`${server.url}/api/health`);
    const photo = await noisyJpeg(6, 640, 480);
    for (let i = 0; i < 3; i++) expect((await upload(server.url, id, photo)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1000));
    const { latencies, bad } = await others.stop();
    expect(bad).toBe(0);
    console.log(
      `[slow-clients] with 200 unread streams: ${latencies.length} other requests, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    expect(percentile(latencies, 99)).toBeLessThan(1000);
    // They leave without a word: the server closes its side of each.
    for (const s of idle) s.destroy();
    await waitUntil(() => serverConnections() <= before + 5, 15_000, 'the server to let the streams go');
  }, 90_000);

  it('a stream whose reader stalls while events pile up is closed once its backlog passes the bound', async () => {
    const id = await createSession(server.url);
    const stalled: { sock: net.Socket; response: () => string; closed: Promise<void> }[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await rawRequest(`GET /api/session/${id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      await waitUntil(() => r.response().includes('event: session'), 5000, 'the first event');
      r.sock.pause();
      stalled.push(r);
    }
    // ~16 KB per event, 600 events: far more than socket buffers and the stream's own bound hold.
    const data = { blob: 'x'.repeat(16_000) };
    const puts = Array.from({ length: 600 }, (_, i) => i);
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = next++; i < puts.length; i = next++) {
          const r = await fetch(`${server.url}/api/session/${id}`, {
            method: 'PUT',
            headers: { ...boothAuth, 'content-type': 'application/json' },
            body: JSON.stringify({ data: { ...data, i } }),
          });
          expect(r.status).toBe(200);
          await r.arrayBuffer();
        }
      }),
    );
    // The reader comes back: it gets what was already in flight, then the end of the stream.
    for (const s of stalled) s.sock.resume();
    await Promise.all(stalled.map((s) => s.closed));
    for (const s of stalled) {
      const events = s.response().split('event: session').length - 1;
      expect(events).toBeGreaterThan(0);
      expect(events).toBeLessThan(600);
    }
    const { status } = await getJson(`${server.url}/api/session/${id}`);
    expect(status).toBe(200);
  }, 90_000);
});
