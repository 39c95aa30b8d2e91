import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../../bench/lib/images';
import { sleep } from '../../bench/lib/util';
import { makeTempDir } from '../support/env';
import {
  createSession,
  listFiles,
  noisyJpeg,
  type RunningServer,
  rawRequest,
  startCluster,
  waitUntil,
} from './support';

/**
 * Limits under load (docs/api.md), against the production server (`node server.mjs`, 2 workers):
 * caps on live streams and uploads in flight, per client address and in all (over a cap: 429
 * too_many_requests with Retry-After, at once, never a hang), and the minimum upload rate (a
 * trickle is cut with 408 request_timeout). Small caps here; each worker holds its half.
 * TRUST_PROXY=1 lets the test speak from many addresses through X-Forwarded-For.
 */

const CAPS = {
  MAX_EVENT_STREAMS: '30',
  MAX_EVENT_STREAMS_PER_ADDRESS: '10',
  MAX_UPLOADS_IN_FLIGHT: '6',
  MAX_UPLOADS_PER_ADDRESS: '4',
  MIN_UPLOAD_BYTES_PER_SECOND: '1000',
  UPLOAD_RATE_WINDOW_SECONDS: '2',
  TRUST_PROXY: '1',
};

let server: RunningServer;
let dataDir: string;
const open: { destroy: () => void }[] = [];

beforeAll(async () => {
  dataDir = makeTempDir('pb-load-limits-');
  server = await startCluster(dataDir, CAPS);
}, 300_000);

afterAll(async () => {
  for (const o of open) o.destroy();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  retryAfter?: string;
  code?: string;
  at: number;
}

/** Opens an event stream from an address; resolves with the answer's head (and body when not 200). */
function stream(id: string, address: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(
      `${server.url}/api/session/${id}/events`,
      { agent: false, headers: { 'x-forwarded-for': address } },
      (res) => {
        if (res.statusCode === 200) {
          res.on('data', () => {});
          res.on('error', () => {});
          resolve({ status: 200, at: performance.now() - t0 });
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = JSON.parse(text).error?.code;
          } catch {
            code = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
            code,
            at: performance.now() - t0,
          });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    open.push(req);
  });
}

function closeAll(): void {
  for (const o of open.splice(0)) o.destroy();
}

const raw = (head: string) => rawRequest(server.port, head, open);

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

function tally(answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}

describe('limits under load (node server.mjs, 2 workers)', () => {
  it('caps the live streams of one address: the rest are answered 429 with Retry-After at once', async () => {
    const id = await createSession(server.url);
    const answers = await Promise.all(Array.from({ length: 30 }, () => stream(id, '10.1.0.1')));
    const counts = tally(answers);
    console.log(`[limits] 30 streams from one address (cap 10): ${JSON.stringify(counts)}`);
    // Each worker holds its half of the cap (5): between 5 and 10 are let in, never more.
    expect(counts[200] ?? 0).toBeGreaterThanOrEqual(5);
    expect(counts[200] ?? 0).toBeLessThanOrEqual(10);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.length).toBeGreaterThanOrEqual(20);
    for (const a of refused) {
      expect(a.status).toBe(429);
      expect(a.code).toBe('too_many_requests');
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
      expect(a.at).toBeLessThan(5000);
    }
    // Another address is not refused meanwhile.
    expect((await stream(id, '10.1.0.2')).status).toBe(200);
    // Closed streams give their slots back.
    closeAll();
    await sleep(500);
    const again = await Promise.all(Array.from({ length: 4 }, () => stream(id, '10.1.0.1')));
    expect(tally(again)).toEqual({ 200: 4 });
    closeAll();
  }, 60_000);

  it('caps the live streams of the whole server', async () => {
    const id = await createSession(server.url);
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => stream(id, `10.2.0.${i + 1}`)));
    const counts = tally(answers);
    console.log(`[limits] 60 streams from 60 addresses (cap 30): ${JSON.stringify(counts)}`);
    expect(counts[200] ?? 0).toBeGreaterThanOrEqual(15);
    expect(counts[200] ?? 0).toBeLessThanOrEqual(30);
    expect((counts[200] ?? 0) + (counts[429] ?? 0)).toBe(60);
    closeAll();
    await sleep(500);
    expect((await stream(id, '10.2.1.1')).status).toBe(200);
    closeAll();
  }, 60_000);

  it('caps the uploads in flight of one address: the rest are answered 429 at once, not held', async () => {
    const id = await createSession(server.url);
    const { body, contentType } = multipartBody(await noisyJpeg(1, 640, 480));
    const declared = 4 * 1024 * 1024; // far more than is ever sent: the uploads stay in flight
    const uploads: Awaited<ReturnType<typeof raw>>[] = [];
    for (let i = 0; i < 10; i++) {
      uploads.push(
        await raw(
          `POST /api/session/${id}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.3.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${declared}\r\n\r\n`,
        ),
      );
    }
    // Each keeps sending fast enough (3 KB/s) for the rate floor.
    let off = 0;
    const feeder = setInterval(() => {
      for (const u of uploads) if (!u.sock.destroyed) u.sock.write(body.subarray(off, off + 1500));
      off += 1500;
    }, 500);
    try {
      await sleep(3000);
      const statuses = uploads.map((u) => statusOf(u.response()));
      const held = statuses.filter((s) => s === 0).length;
      const refused = uploads.filter((u) => statusOf(u.response()) === 429);
      console.log(
        `[limits] 10 uploads in flight from one address (cap 4): ${held} held, ${refused.length} got 429`,
      );
      expect(held).toBeGreaterThanOrEqual(2);
      expect(held).toBeLessThanOrEqual(4);
      expect(refused.length).toBe(10 - held);
      for (const u of refused) {
        expect(u.response()).toMatch(/retry-after: \d+/i);
        expect(u.response()).toContain('"too_many_requests"');
      }
    } finally {
      clearInterval(feeder);
      for (const u of uploads) u.sock.destroy();
    }
    // A slot freed by a client that left can be taken again.
    await sleep(500);
    const photo = await noisyJpeg(2, 320, 240);
    const m = multipartBody(photo);
    const r = await fetch(`${server.url}/api/session/${id}/photos`, {
      method: 'POST',
      headers: { 'content-type': m.contentType, 'x-forwarded-for': '10.3.0.1' },
      body: new Uint8Array(m.body),
    });
    expect(r.status).toBe(201);
  }, 60_000);

  it('cuts a body slower than the minimum rate with 408 request_timeout and lets the connection go', async () => {
    const id = await createSession(server.url);
    const tmp = path.join(dataDir, 'tmp');
    for (const kind of ['multipart', 'json'] as const) {
      const { body, contentType } =
        kind === 'multipart'
          ? multipartBody(await noisyJpeg(3, 640, 480))
          : {
              body: Buffer.from(
                JSON.stringify({ photo_data: (await noisyJpeg(3, 640, 480)).toString('base64') }),
              ),
              contentType: 'application/json',
            };
      const t0 = Date.now();
      const u = await raw(
        `POST /api/session/${id}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.4.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      // Slowloris: 4 bytes a second.
      let off = 0;
      const trickle = setInterval(() => {
        if (!u.sock.destroyed) u.sock.write(body.subarray(off, off + 4));
        off += 4;
      }, 1000);
      try {
        await waitUntil(() => statusOf(u.response()) !== 0, 10_000, `the ${kind} trickle to be answered`);
        const took = Date.now() - t0;
        console.log(`[limits] a ${kind} body at 4 B/s: ${statusOf(u.response())} after ${took} ms`);
        expect(statusOf(u.response())).toBe(408);
        // The server closes the connection: the rest of the body is not waited for. (Read the
        // answer's body after the close: it may come in a later segment than the status line.)
        await Promise.race([u.closed, sleep(5000)]);
        expect(u.sock.destroyed || u.sock.readableEnded).toBe(true);
        expect(u.response()).toContain('"request_timeout"');
      } finally {
        clearInterval(trickle);
        u.sock.destroy();
      }
    }
    await waitUntil(() => listFiles(tmp).length === 0, 10_000, 'the temporary files to be removed');
    const session = await (await fetch(`${server.url}/api/session/${id}`)).json();
    expect(session.session.photo_count).toBe(0);
  }, 60_000);

  it('a client leaving mid-upload is logged in one line, without a stack trace', async () => {
    const id = await createSession(server.url);
    const mark = server.logs().length;
    for (const contentType of ['application/json', 'multipart/form-data; boundary=XX']) {
      const u = await raw(
        `POST /api/session/${id}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.5.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: 100000\r\n\r\n`,
      );
      u.sock.write(
        contentType === 'application/json'
          ? `{"photo_data":"${'A'.repeat(5000)}`
          : `--XX\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${'x'.repeat(5000)}`,
      );
      await sleep(500);
      u.sock.destroy();
      await sleep(500);
    }
    await sleep(1000);
    const logs = server.logs().slice(mark);
    expect(logs).not.toMatch(/^\s+at /m);
    expect(logs).not.toMatch(/ignore-listed frames|code: 'ECONNRESET'/);
    expect(logs.split('\n').filter((l) => l.includes('/photos')).length).toBeLessThanOrEqual(2);
  }, 30_000);
});
