import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../bench/lib/servers';
import { openSse } from '../../bench/lib/sse';
import { makeTempDir } from '../support/env';
import { photoForm } from '../support/http';
import * as img from '../support/images';
import { adminAuth, boothAuth, startServer } from '../support/server';

/**
 * The host gallery's stream over the production server (node server.mjs, 2 workers): pictures
 * composed and removed by requests that any worker may serve all reach the host's open stream.
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
    headers: { ...headers, 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

describe('the gallery stream across workers', () => {
  it('each composed picture and each removal shows up on the host stream', async () => {
    const event = await post('/api/events', { name: 'Gala', retention_days: 2 }, adminAuth);
    expect(event.status).toBe(201);
    const link = await fetch(`${server.url}/api/events/${event.json.event.id}/host-link`, {
      headers: adminAuth,
    });
    const { token } = await link.json();
    const sse = await openSse(`${server.url}/api/gallery/${token}/events`);

    // Several composes on fresh connections: the 2 workers share them, every one must arrive.
    const urls: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await post(
        '/api/session/create',
        { type: 'upload', event_id: event.json.event.id },
        boothAuth,
      );
      const id = created.json.session.id as string;
      const up = await fetch(`${server.url}/api/session/${id}/photos`, {
        method: 'POST',
        headers: { connection: 'close' },
        body: photoForm(await img.jpeg(900, 600, 70 + i)),
      });
      expect(up.status).toBe(201);
      const composed = await post(`/api/session/${id}/compose`, { layout: 'single' }, boothAuth);
      expect(composed.status).toBe(201);
      urls.push(composed.json.session.picture_url);
    }
    const got: { id: string; url: string }[] = [];
    for (const url of urls) {
      const ev = await sse.waitFor((e) => e.event === 'picture' && e.data.url === url);
      got.push(ev.data);
    }
    for (const p of got) {
      const r = await fetch(`${server.url}/api/gallery/${token}/pictures/${p.id}`, {
        method: 'DELETE',
        headers: { connection: 'close' },
      });
      expect(r.status).toBe(204);
      await sse.waitFor((e) => e.event === 'removed' && e.data.id === p.id);
    }
    sse.close();
  });

  it('the page /g/<token> shows the event and its first pictures; an unknown or rotated link is a 404 page', async () => {
    const event = await post('/api/events', { name: 'Page Gala', retention_days: 2 }, adminAuth);
    const id = event.json.event.id as string;
    const created = await post('/api/session/create', { type: 'download', event_id: id }, boothAuth);
    const sid = created.json.session.id as string;
    const res = await fetch(`${server.url}/api/session/${sid}/result`, {
      method: 'POST',
      headers: { ...boothAuth, connection: 'close' },
      body: photoForm(await img.jpeg(900, 600, 5)),
    });
    expect(res.status).toBe(201);
    const pictureToken = ((await res.json()).session.picture_url as string).split('/').pop();
    const { token } = await (
      await fetch(`${server.url}/api/events/${id}/host-link`, { headers: adminAuth })
    ).json();
    const page = await fetch(`${server.url}/g/${token}`, { headers: { 'accept-language': 'en' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Page Gala');
    expect(html).toContain(`/api/pictures/${pictureToken}/image`);
    expect(html).toContain('Download all (1 picture,');

    await post(`/api/events/${id}/host-link`, {}, adminAuth);
    const old = await fetch(`${server.url}/g/${token}`, { headers: { 'accept-language': 'en' } });
    expect(old.status).toBe(404);
    expect(await old.text()).toContain('No gallery here');
  });
});
