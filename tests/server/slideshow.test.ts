import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../bench/lib/servers';
import { makeTempDir } from '../support/env';
import { photoForm } from '../support/http';
import * as img from '../support/images';
import { adminAuth, boothAuth, startServer } from '../support/server';

/** The slideshow page /g/<token>/show over the production server: its HTML, its QR option, its 404. */

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

async function send(method: string, path: string, body: unknown, headers: Record<string, string>) {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...headers, 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

const page = (path: string) => fetch(`${server.url}${path}`, { headers: { 'accept-language': 'en' } });

describe('the slideshow page', () => {
  it('answers 200 HTML with the event and its pictures; the QR only with slideshow_qr; a rotated link is 404', async () => {
    const event = await send('POST', '/api/events', { name: 'Show Gala', retention_days: 2 }, adminAuth);
    const id = event.json.event.id as string;
    const created = await send('POST', '/api/session/create', { type: 'download', event_id: id }, boothAuth);
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

    const off = await page(`/g/${token}/show`);
    expect(off.status).toBe(200);
    expect(off.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await off.text();
    expect(html).toContain('Show Gala');
    expect(html).toContain(`/api/pictures/${pictureToken}/image`);
    expect(html).toContain('<meta name="robots" content="noindex, nofollow"');
    expect(html).not.toContain('QR code of the event&#x27;s gallery');

    expect((await send('PUT', `/api/events/${id}`, { slideshow_qr: true }, adminAuth)).status).toBe(200);
    const on = await (await page(`/g/${token}/show`)).text();
    expect(on).toContain('QR code of the event&#x27;s gallery');

    // The gallery links to it.
    expect(await (await page(`/g/${token}`)).text()).toContain(`href="/g/${token}/show"`);

    await send('POST', `/api/events/${id}/host-link`, {}, adminAuth);
    const old = await page(`/g/${token}/show`);
    expect(old.status).toBe(404);
    expect(await old.text()).toContain('No gallery here');
  });

  it('an unknown or malformed token is the 404 page', async () => {
    for (const t of ['A'.repeat(32), 'short']) {
      const r = await page(`/g/${t}/show`);
      expect(r.status).toBe(404);
      expect(await r.text()).toContain('No gallery here');
    }
  });
});
