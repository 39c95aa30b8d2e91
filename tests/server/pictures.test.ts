import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../bench/lib/servers';
import { openSse } from '../../bench/lib/sse';
import { makeTempDir } from '../support/env';
import { photoForm } from '../support/http';
import * as img from '../support/images';
import { adminAuth, boothAuth, startServer } from '../support/server';

/**
 * Pictures over the production server (node server.mjs, 2 workers): the stream of a session
 * another worker composed carries picture_url, and the take-home page answers on its link.
 */

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

async function post(path: string, body: unknown, headers: Record<string, string>) {
  const r = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

describe('a picture over the production server', () => {
  it('the stream sends picture_url after compose; the link opens the page and the picture', async () => {
    const event = await post('/api/events', { name: 'Gala', retention_days: 2 }, adminAuth);
    expect(event.status).toBe(201);
    const created = await post(
      '/api/session/create',
      { type: 'upload', event_id: event.json.event.id },
      boothAuth,
    );
    expect(created.status).toBe(201);
    const id = created.json.session.id as string;
    expect(created.json.session.picture_url).toBeNull();
    const up = await fetch(`${server.url}/api/session/${id}/photos`, {
      method: 'POST',
      body: photoForm(await img.jpeg(900, 600, 77)),
    });
    expect(up.status).toBe(201);

    const sse = await openSse(`${server.url}/api/session/${id}/events`);
    await sse.waitFor((e) => e.event === 'session' && e.data.photo_count === 1);
    const composed = await post(`/api/session/${id}/compose`, { layout: 'single' }, boothAuth);
    expect(composed.status).toBe(201);
    const url = composed.json.session.picture_url as string;
    expect(url).toMatch(/\/p\/[A-Za-z0-9_-]{32}$/);
    const ev = await sse.waitFor((e) => e.event === 'session' && e.data.picture_url === url);
    expect(ev.data.has_result).toBe(true);
    sse.close();

    const path = new URL(url).pathname;
    const page = await fetch(`${server.url}${path}`, { headers: { 'accept-language': 'en' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Gala');
    expect(html).toContain(`/api/pictures/${path.slice(3)}/image?download=1`);
    // The page is the picture's only: not its session's id (the session's own guest link) nor the
    // event's, and no shared cache keeps it.
    expect(html).not.toContain(id);
    expect(html).not.toContain(event.json.event.id);
    expect(page.headers.get('cache-control')).toMatch(/private|no-store/);
    const image = await fetch(`${server.url}/api/pictures/${path.slice(3)}/image`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });
});

describe('take-home opens', () => {
  it('the page counts one open per browser (its cookie, scoped to the picture), another browser counts again', async () => {
    const event = await post('/api/events', { name: 'Opens', retention_days: 2 }, adminAuth);
    const eventId = event.json.event.id as string;
    const created = await post('/api/session/create', { type: 'upload', event_id: eventId }, boothAuth);
    const id = created.json.session.id as string;
    const up = await fetch(`${server.url}/api/session/${id}/photos`, {
      method: 'POST',
      body: photoForm(await img.jpeg(900, 600, 140)),
    });
    expect(up.status).toBe(201);
    const composed = await post(`/api/session/${id}/compose`, { layout: 'single' }, boothAuth);
    const path = new URL(composed.json.session.picture_url as string).pathname;
    const opens = async () => {
      const r = await fetch(`${server.url}/api/events/${eventId}/stats`, { headers: adminAuth });
      return (await r.json()).stats.take_home_opens as number;
    };

    const first = await fetch(`${server.url}${path}`);
    expect(first.status).toBe(200);
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`pb_opened=1; Path=${path}; .*Max-Age=1800`, 'i'));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(await opens()).toBe(1);
    // The same browser reloads twice: still one open.
    const cookie = setCookie.split(';')[0] as string;
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${server.url}${path}`, { headers: { cookie } })).status).toBe(200);
    expect(await opens()).toBe(1);
    // A client cannot claim a first open by sending the proxy's header itself.
    const claimed = await fetch(`${server.url}${path}`, { headers: { cookie, 'x-pb-first-open': '1' } });
    expect(claimed.status).toBe(200);
    expect(await opens()).toBe(1);
    // Another browser (no cookie): a second open.
    expect((await fetch(`${server.url}${path}`)).status).toBe(200);
    expect(await opens()).toBe(2);
  });
});

describe('odd take-home links over the production server', () => {
  it('malformed escapes, overlong and encoded tokens: a 4xx (JSON on the API), never a 500', async () => {
    const api = [
      '/api/pictures/%E0%A4%A',
      '/api/pictures/%E0%A4%A/image',
      `/api/pictures/${'A'.repeat(4000)}`,
      `/api/pictures/${'%41'.repeat(32)}/image`,
      '/api/pictures/..%2F..%2Fetc%2Fpasswd/image',
      `/api/pictures/${'A'.repeat(32)}%00/image`,
    ];
    for (const path of api) {
      for (const method of ['GET', 'DELETE']) {
        const r = await fetch(`${server.url}${path}`, { method });
        expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${method} ${path}`).toBeLessThan(500);
        expect(r.headers.get('content-type'), path).toMatch(/^application\/json/);
        expect((await r.json()).error.code).toMatch(/^(picture_not_found|invalid_path|method_not_allowed)$/);
      }
    }
    for (const path of ['/p/%E0%A4%A', `/p/${'A'.repeat(4000)}`, `/p/${'%41'.repeat(32)}`]) {
      const r = await fetch(`${server.url}${path}`);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      await r.arrayBuffer();
    }
  });
});
