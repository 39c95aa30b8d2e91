import { describe, expect, it } from 'vitest';
import * as eventsRoute from '@/app/api/events/route';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as sessionEvents from '@/app/api/session/[id]/events/route';
import * as photo from '@/app/api/session/[id]/photos/[photoId]/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import { useTestEnv } from '../support/env';
import { buildRequest, call } from '../support/http';
import * as img from '../support/images';
import { storedBlobNames } from '../support/storage';

/**
 * Consent (an event's consent_text must be accepted before a guest uploads) and the guest's own
 * delete of a photo sent by mistake (API.md Part 2, "Photos — consent and the guest's own delete").
 */

useTestEnv();
const CONSENT = 'Photos may be shown at the venue and kept for 30 days.';

async function eventWith(json: Record<string, unknown>) {
  const r = await call(eventsRoute.POST, {
    path: '/api/events',
    as: 'admin',
    json: { name: 'Wedding', ...json },
  });
  expect(r.status).toBe(201);
  return r.json.event as { id: string };
}
async function sessionOf(eventId: string, type: 'upload' | 'download' = 'upload') {
  const r = await call(create.POST, {
    path: '/api/session/create',
    as: 'booth',
    json: { type, event_id: eventId },
  });
  expect(r.status).toBe(201);
  return r.json.session as { id: string };
}
const getSession = async (id: string) =>
  (await call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } })).json.session;
/** The session's stored photo files (names), in either mode's blob store. */
const photoFiles = (id: string): Promise<string[]> => storedBlobNames(`photos/${id}/`);

/** A multipart upload; `consent` goes before the file, after it, or not at all. */
async function uploadForm(id: string, consent: 'before' | 'after' | 'none' | 'no', as?: string) {
  const file = await img.jpeg(800, 600, 10);
  const form = new FormData();
  if (consent === 'before') form.append('consent', 'yes');
  if (consent === 'no') form.append('consent', 'no');
  form.append('photo', new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), 'p.jpg');
  if (consent === 'after') form.append('consent', 'yes');
  return call(photos.POST, { path: `/api/session/${id}/photos`, params: { id }, body: form, as });
}
async function uploadJson(id: string, consent: unknown) {
  const data = (await img.jpeg(640, 480, 20)).toString('base64');
  const json: Record<string, unknown> = { photo_data: data };
  if (consent !== undefined) json.consent = consent;
  return call(photos.POST, { path: `/api/session/${id}/photos`, params: { id }, json });
}
const del = (id: string, photoId: string, as?: string) =>
  call(photo.DELETE, {
    method: 'DELETE',
    path: `/api/session/${id}/photos/${photoId}`,
    params: { id, photoId },
    as,
  });

describe('consent', () => {
  it('multipart without consent: 403 consent_required, nothing stored, the slot free again', async () => {
    const event = await eventWith({ consent_text: CONSENT, max_photos: 1, ready_at: 1 });
    const s = await sessionOf(event.id);
    for (const mode of ['none', 'no'] as const) {
      const r = await uploadForm(s.id, mode);
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('consent_required');
    }
    expect((await getSession(s.id)).photo_count).toBe(0);
    expect(await photoFiles(s.id)).toEqual([]);
    // The one slot of the session was given back: a consented upload takes it.
    const ok = await uploadForm(s.id, 'before');
    expect(ok.status).toBe(201);
    expect(ok.json.session.photo_count).toBe(1);
  });

  it('multipart with consent = yes, before or after the file: 201', async () => {
    const s = await sessionOf((await eventWith({ consent_text: CONSENT })).id);
    expect((await uploadForm(s.id, 'before')).status).toBe(201);
    expect((await uploadForm(s.id, 'after')).status).toBe(201);
    expect((await getSession(s.id)).photo_count).toBe(2);
    expect(await photoFiles(s.id)).toHaveLength(4);
  });

  it('JSON: without "consent": true 403; with it 201', async () => {
    const s = await sessionOf((await eventWith({ consent_text: CONSENT })).id);
    for (const consent of [undefined, false, 'yes', 1]) {
      const r = await uploadJson(s.id, consent);
      expect(r.status, String(consent)).toBe(403);
      expect(r.json.error.code).toBe('consent_required');
    }
    expect(await photoFiles(s.id)).toEqual([]);
    const ok = await uploadJson(s.id, true);
    expect(ok.status).toBe(201);
    expect(ok.json.session.photo_count).toBe(1);
  });

  it('the booth is exempt', async () => {
    const s = await sessionOf((await eventWith({ consent_text: CONSENT })).id, 'download');
    const r = await uploadForm(s.id, 'none', 'booth');
    expect(r.status).toBe(201);
  });

  it('an event without consent_text takes a guest upload without it', async () => {
    const s = await sessionOf((await eventWith({})).id);
    expect((await uploadForm(s.id, 'none')).status).toBe(201);
    expect((await uploadJson(s.id, undefined)).status).toBe(201);
  });
});

describe("the guest's own delete", () => {
  async function withPhotos(n: number, json: Record<string, unknown> = { max_photos: 3, ready_at: 2 }) {
    const s = await sessionOf((await eventWith(json)).id);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await uploadForm(s.id, 'none');
      expect(r.status).toBe(201);
      ids.push(r.json.photo.id);
    }
    return { id: s.id, photos: ids };
  }

  it('guest: 204, row and files gone, the slot free, ready back to pending', async () => {
    const s = await withPhotos(2);
    expect((await getSession(s.id)).status).toBe('ready');
    const [first, second] = s.photos as [string, string];
    const r = await del(s.id, first);
    expect(r.status).toBe(204);
    const after = await getSession(s.id);
    expect(after.photo_count).toBe(1);
    expect(after.status).toBe('pending');
    expect((await photoFiles(s.id)).sort()).toEqual([`${second}.jpg`, `${second}.thumb.jpg`].sort());
    const list = await call(photos.GET, { path: `/api/session/${s.id}/photos`, params: { id: s.id } });
    expect(list.json.photos.map((p: { id: string }) => p.id)).toEqual([second]);
    const image = await call(photo.GET, {
      path: `/api/session/${s.id}/photos/${first}`,
      params: { id: s.id, photoId: first },
    });
    expect(image.status).toBe(404);
    // Gone already: 404 photo_not_found.
    const again = await del(s.id, first);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('photo_not_found');
  });

  it('a full session takes a photo again after one is removed', async () => {
    const s = await withPhotos(3);
    expect((await uploadForm(s.id, 'none')).json.error.code).toBe('photo_limit_reached');
    expect((await del(s.id, s.photos[1] as string)).status).toBe(204);
    const r = await uploadForm(s.id, 'none');
    expect(r.status).toBe(201);
    expect(r.json.session.photo_count).toBe(3);
  });

  it('unknown photo, malformed id, another session’s photo: 404 photo_not_found, nothing removed', async () => {
    const a = await withPhotos(1);
    const b = await withPhotos(1);
    for (const photoId of ['0b6f3c1e-9a53-4a3e-8d8e-3f0c2b9a7d11', 'not-a-uuid', b.photos[0] as string]) {
      const r = await del(a.id, photoId);
      expect(r.status, photoId).toBe(404);
      expect(r.json.error.code).toBe('photo_not_found');
    }
    expect((await getSession(b.id)).photo_count).toBe(1);
    expect(await photoFiles(b.id)).toHaveLength(2);
    const unknown = await del('0b6f3c1e-9a53-4a3e-8d8e-3f0c2b9a7d11', a.photos[0] as string);
    expect(unknown.json.error.code).toBe('session_not_found');
  });

  it('once the picture is made: the guest gets 409 session_closed, the result is not a photo here (404)', async () => {
    const s = await withPhotos(2);
    const composed = await call(compose.POST, {
      path: `/api/session/${s.id}/compose`,
      params: { id: s.id },
      as: 'booth',
      json: { layout: 'grid' },
    });
    expect(composed.status).toBe(201);
    const r = await del(s.id, s.photos[0] as string);
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('session_closed');
    expect((await getSession(s.id)).photo_count).toBe(2);
    const resultId = composed.json.photo.id as string;
    const viaBooth = await del(s.id, resultId, 'booth');
    expect(viaBooth.status).toBe(404);
    expect(viaBooth.json.error.code).toBe('photo_not_found');
    expect((await getSession(s.id)).has_result).toBe(true);
    // The booth may still take an uploaded photo back.
    expect((await del(s.id, s.photos[0] as string, 'booth')).status).toBe(204);
  });

  it('a guest may not delete on a download session (403); the booth may', async () => {
    const s = await sessionOf((await eventWith({})).id, 'download');
    const up = await uploadForm(s.id, 'none', 'booth');
    expect(up.status).toBe(201);
    const r = await del(s.id, up.json.photo.id);
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('forbidden');
    expect((await del(s.id, up.json.photo.id, 'booth')).status).toBe(204);
    expect((await getSession(s.id)).photo_count).toBe(0);
  });

  it('the live session stream is told', async () => {
    const s = await withPhotos(2);
    const abort = new AbortController();
    const request = buildRequest({ path: `/api/session/${s.id}/events`, signal: abort.signal });
    const response = await sessionEvents.GET(request, { params: Promise.resolve({ id: s.id }) });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const seen: { photo_count: number; status: string }[] = [];
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
    expect(seen[0]?.photo_count).toBe(2);
    expect((await del(s.id, s.photos[0] as string)).status).toBe(204);
    await waitFor(() => seen.some((e) => e.photo_count === 1));
    expect(seen.at(-1)?.status).toBe('pending');
    abort.abort();
    await reader.cancel().catch(() => {});
    await pump.catch(() => {});
  });
});
