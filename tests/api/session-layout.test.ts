import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import * as eventsRoute from '@/app/api/events/route';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as sessionEvents from '@/app/api/session/[id]/events/route';
import * as layoutRoute from '@/app/api/session/[id]/layout/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as preview from '@/app/api/session/[id]/preview/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import { useTestEnv } from '../support/env';
import { buildRequest, call, photoForm } from '../support/http';
import * as img from '../support/images';

/** The phone chooses the picture's layout and previews it; the booth sees the choice live. */

useTestEnv();

async function newEvent(json: Record<string, unknown> = { name: 'Party' }) {
  const r = await call(eventsRoute.POST, { path: '/api/events', as: 'admin', json });
  expect(r.status).toBe(201);
  return r.json.event as { id: string };
}

async function newSession(json: Record<string, unknown>) {
  const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json });
  expect(r.status).toBe(201);
  return r.json.session as { id: string; layout: string | null };
}

async function upload(id: string, file: Buffer) {
  const r = await call(photos.POST, {
    path: `/api/session/${id}/photos`,
    params: { id },
    body: photoForm(file),
  });
  expect(r.status).toBe(201);
}

function putLayout(id: string, layout: unknown, as = 'guest') {
  return call(layoutRoute.PUT, {
    method: 'PUT',
    path: `/api/session/${id}/layout`,
    params: { id },
    as,
    json: { layout },
  });
}

function getPreview(id: string, layout?: string) {
  const q = layout === undefined ? '' : `?layout=${encodeURIComponent(layout)}`;
  return call(preview.GET, { path: `/api/session/${id}/preview${q}`, params: { id } });
}

describe('PUT /api/session/:id/layout', () => {
  it('the guest chooses one of the event layouts; GET carries it', async () => {
    const s = await newSession({ type: 'upload' });
    expect(s.layout).toBeNull();
    const r = await putLayout(s.id, 'strip');
    expect(r.status).toBe(200);
    expect(r.json.session.layout).toBe('strip');
    const g = await call(sessionRoute.GET, { path: `/api/session/${s.id}`, params: { id: s.id } });
    expect(g.json.session.layout).toBe('strip');
    // The booth may change it too.
    const b = await putLayout(s.id, 'single', 'booth');
    expect(b.status).toBe(200);
    expect(b.json.session.layout).toBe('single');
  });

  it('refuses a layout the event does not offer, or no layout at all, and changes nothing', async () => {
    const event = await newEvent({ name: 'Strips only', layouts: ['strip', 'single'] });
    const s = await newSession({ type: 'upload', event_id: event.id });
    for (const bad of ['grid', 'poster', 42, null]) {
      const r = await putLayout(s.id, bad);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_layout');
    }
    const g = await call(sessionRoute.GET, { path: `/api/session/${s.id}`, params: { id: s.id } });
    expect(g.json.session.layout).toBeNull();
    expect((await putLayout(s.id, 'strip')).json.session.layout).toBe('strip');
  });

  it('a guest may not choose for a download session (403); the booth may', async () => {
    const s = await newSession({ type: 'download' });
    const r = await putLayout(s.id, 'grid');
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('forbidden');
    expect((await putLayout(s.id, 'grid', 'booth')).status).toBe(200);
  });

  it('an expired session is 410, a finished one 409 session_closed, an unknown one 404', async () => {
    const gone = await newSession({ type: 'upload' });
    await call(sessionRoute.PUT, {
      method: 'PUT',
      path: `/api/session/${gone.id}`,
      params: { id: gone.id },
      as: 'booth',
      json: { status: 'expired' },
    });
    const r = await putLayout(gone.id, 'grid');
    expect(r.status).toBe(410);
    expect(r.json.error.code).toBe('session_expired');

    const done = await newSession({ type: 'upload' });
    await upload(done.id, await img.jpeg());
    const c = await call(compose.POST, {
      path: `/api/session/${done.id}/compose`,
      params: { id: done.id },
      as: 'booth',
      json: { layout: 'single' },
    });
    expect(c.status).toBe(201);
    const closed = await putLayout(done.id, 'grid');
    expect(closed.status).toBe(409);
    expect(closed.json.error.code).toBe('session_closed');

    const unknown = await putLayout('0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11', 'grid');
    expect(unknown.status).toBe(404);
  });

  it('the session stream sends the choice live', async () => {
    const s = await newSession({ type: 'upload' });
    const abort = new AbortController();
    const request = buildRequest({ path: `/api/session/${s.id}/events`, signal: abort.signal });
    const response = await sessionEvents.GET(request, { params: Promise.resolve({ id: s.id }) });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const seen: { layout: string | null }[] = [];
    let buffer = '';
    const dec = new TextDecoder();
    const pump = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += dec.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = /^event: session\ndata: (.*)$/m.exec(block)?.[1];
          if (data) seen.push(JSON.parse(data));
        }
      }
    })();
    const waitFor = async (pred: () => boolean) => {
      for (let t = 0; !pred() && t < 150; t++) await new Promise((r) => setTimeout(r, 20));
      expect(pred()).toBe(true);
    };
    await waitFor(() => seen.length >= 1);
    expect(seen[0]?.layout).toBeNull();
    expect((await putLayout(s.id, 'strip')).status).toBe(200);
    await waitFor(() => seen.some((e) => e.layout === 'strip'));
    abort.abort();
    await pump.catch(() => {});
  });
});

describe('GET /api/session/:id/preview', () => {
  it('renders the picture of the chosen layout from the session photos, long side 900, not cached', async () => {
    const s = await newSession({ type: 'upload' });
    for (const hue of [10, 120, 240]) await upload(s.id, await img.jpeg(1200, 900, hue));
    const strip = await getPreview(s.id, 'strip');
    expect(strip.status).toBe(200);
    expect(strip.headers.get('content-type')).toBe('image/jpeg');
    expect(strip.headers.get('cache-control')).toBe('no-store');
    const sm = await sharp(strip.body).metadata();
    expect(sm.format).toBe('jpeg');
    expect(Math.max(sm.width ?? 0, sm.height ?? 0)).toBe(900);
    expect(sm.height).toBeGreaterThan(sm.width ?? 0);
    const grid = await getPreview(s.id, 'grid');
    expect(grid.status).toBe(200);
    const gm = await sharp(grid.body).metadata();
    expect(Math.max(gm.width ?? 0, gm.height ?? 0)).toBe(900);
    expect(gm.width).not.toBe(sm.width);
    // Same proportions as what compose makes.
    const c = await call(compose.POST, {
      path: `/api/session/${s.id}/compose`,
      params: { id: s.id },
      as: 'booth',
      json: { layout: 'strip' },
    });
    expect(c.status).toBe(201);
    const made = c.json.photo as { width: number; height: number };
    expect(Math.abs(made.width / made.height - (sm.width ?? 0) / (sm.height ?? 1))).toBeLessThan(0.01);
  });

  it('no photos 409 no_photos; a layout the event lacks or none 400 invalid_layout; expired 410', async () => {
    const event = await newEvent({ name: 'No grids', layouts: ['strip'] });
    const s = await newSession({ type: 'upload', event_id: event.id });
    const empty = await getPreview(s.id, 'strip');
    expect(empty.status).toBe(409);
    expect(empty.json.error.code).toBe('no_photos');
    await upload(s.id, await img.jpeg());
    for (const bad of ['grid', 'poster', undefined]) {
      const r = await getPreview(s.id, bad);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_layout');
    }
    expect((await getPreview(s.id, 'strip')).status).toBe(200);
    await call(sessionRoute.PUT, {
      method: 'PUT',
      path: `/api/session/${s.id}`,
      params: { id: s.id },
      as: 'booth',
      json: { status: 'expired' },
    });
    const gone = await getPreview(s.id, 'strip');
    expect(gone.status).toBe(410);
  });
});
