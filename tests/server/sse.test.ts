import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../bench/lib/servers';
import { openSse } from '../../bench/lib/sse';
import { makeTempDir } from '../support/env';
import { photoForm } from '../support/http';
import * as img from '../support/images';
import { boothAuth, startServer } from '../support/server';
import { tmpFiles } from '../support/storage';

let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = makeTempDir();
  server = await startServer(dataDir);
});
afterAll(async () => {
  await server?.stop('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function createSession(body: Record<string, unknown>) {
  const r = await fetch(`${server.url}/api/session/create`, {
    method: 'POST',
    headers: { ...boothAuth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(201);
  return (await r.json()).session as { id: string; url: string };
}

describe('live events over the production server (node server.mjs, 2 workers)', () => {
  it('sends the session at once, then each change within a second of the upload answer', async () => {
    const s = await createSession({ type: 'upload' });
    const sse = await openSse(`${server.url}/api/session/${s.id}/events`);
    const first = await sse.waitFor((e) => e.event === 'session');
    expect(first.data).toMatchObject({ id: s.id, photo_count: 0, status: 'pending' });
    for (let n = 1; n <= 3; n++) {
      const r = await fetch(`${server.url}/api/session/${s.id}/photos`, {
        method: 'POST',
        body: photoForm(await img.jpeg(800, 600, n * 40)),
      });
      expect(r.status).toBe(201);
      const answered = Date.now();
      const ev = await sse.waitFor((e) => e.event === 'session' && e.data.photo_count === n);
      expect(ev.at - answered).toBeLessThan(1000);
    }
    const last = sse.events.at(-1);
    expect(last?.data?.status).toBe('ready');
    sse.close();
  });

  it('tells watchers "gone" and ends the stream when the session is deleted', async () => {
    const s = await createSession({ type: 'download' });
    const sse = await openSse(`${server.url}/api/session/${s.id}/events`);
    await sse.waitFor((e) => e.event === 'session');
    const del = await fetch(`${server.url}/api/session/${s.id}`, {
      method: 'DELETE',
      headers: boothAuth,
    });
    expect(del.status).toBe(204);
    await sse.waitFor((e) => e.event === 'gone');
    await sse.closed;
  });

  it('sends the expired session and "gone" when the session expires, and refuses new streams with 410', async () => {
    const s = await createSession({ type: 'upload', ttl_minutes: 0.02 });
    const sse = await openSse(`${server.url}/api/session/${s.id}/events`);
    const ev = await sse.waitFor((e) => e.event === 'gone', 5000);
    const expired = sse.events.filter((e) => e.event === 'session').at(-1);
    expect(expired?.data?.status).toBe('expired');
    expect(ev).toBeDefined();
    await sse.closed;
    const again = await fetch(`${server.url}/api/session/${s.id}/events`);
    expect(again.status).toBe(410);
    expect((await again.json()).error.code).toBe('session_expired');
  });

  it('answers JSON (never HTML) for unknown API paths and unknown sessions', async () => {
    const r = await fetch(`${server.url}/api/nothing/here`);
    expect(r.status).toBe(404);
    expect((await r.json()).error.code).toBe('not_found');
    const s = await fetch(`${server.url}/api/session/not-a-uuid/events`);
    expect(s.status).toBe(404);
    expect((await s.json()).error.code).toBe('session_not_found');
  });

  it('a 30 MB upload is answered 413 photo_too_large and the server stays healthy', async () => {
    const s = await createSession({ type: 'upload' });
    const big = Buffer.alloc(30 * 1024 * 1024, 0xff);
    const r = await fetch(`${server.url}/api/session/${s.id}/photos`, {
      method: 'POST',
      body: photoForm(big),
    });
    const status = r.status;
    const code = (await r.json()).error.code;
    expect(status).toBe(413);
    expect(code).toBe('photo_too_large');
    const after = await fetch(`${server.url}/api/session/${s.id}`);
    expect((await after.json()).session.photo_count).toBe(0);
    expect(tmpFiles(dataDir)).toEqual([]);
  });

  it('sets security headers on pages and API answers', async () => {
    const r = await fetch(`${server.url}/api/health`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await fetch(`${server.url}/booth`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    // Guest links are capabilities: crawlers are asked to stay out.
    const robots = await fetch(`${server.url}/robots.txt`);
    expect(await robots.text()).toMatch(/Disallow: \/\n/);
  });
});
