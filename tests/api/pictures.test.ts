import fs from 'node:fs';
import path from 'node:path';
import { NextRequest } from 'next/server';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import * as eventRoute from '@/app/api/events/[id]/route';
import * as eventsRoute from '@/app/api/events/route';
import * as pictureImage from '@/app/api/pictures/[token]/image/route';
import * as pictureRoute from '@/app/api/pictures/[token]/route';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as sessionEvents from '@/app/api/session/[id]/events/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import * as cleanup from '@/app/api/sessions/cleanup/route';
import { findPictureByToken, picturesOfEvent, updatePictureRow } from '@/db/queries';
import * as branding from '@/lib/branding';
import { cleanupExpired, sweepOrphans } from '@/lib/cleanup';
import { proxy } from '@/proxy';
import { dbRows } from '../support/db';
import { useTestEnv } from '../support/env';
import { buildRequest, call, photoForm } from '../support/http';
import * as img from '../support/images';
import { blobFolderGone, removeStoredBlob, storedBlobKeys, storedBlobNames } from '../support/storage';

/**
 * Pictures: a finished picture kept on a take-home link of its own for the event's retention,
 * after its session is swept or deleted; the holder of the link reads, downloads and deletes it.
 */

const env = useTestEnv();
const DAY = 24 * 60 * 60_000;

/** Moves a picture's expires_at a second into the past. */
async function expireNow(token: string): Promise<void> {
  const row = await findPictureByToken(token);
  if (!row) throw new Error(`no picture with token ${token}`);
  await updatePictureRow(row.id, { expiresAt: new Date(Date.now() - 1000) });
}

const postEvent = (json: unknown) => call(eventsRoute.POST, { path: '/api/events', as: 'admin', json });
const createSession = async (json: Record<string, unknown>) => {
  const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json });
  expect(r.status).toBe(201);
  return r.json.session;
};
const getSession = (id: string) => call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } });
const upload = (id: string, file: Buffer) =>
  call(photos.POST, { path: `/api/session/${id}/photos`, params: { id }, body: photoForm(file) });
const composeIt = (id: string, layout = 'grid') =>
  call(compose.POST, { path: `/api/session/${id}/compose`, params: { id }, as: 'booth', json: { layout } });
const postResult = (id: string, file: Buffer) =>
  call(result.POST, {
    path: `/api/session/${id}/result`,
    params: { id },
    as: 'booth',
    body: photoForm(file),
  });
const getPicture = (token: string) =>
  call(pictureRoute.GET, { path: `/api/pictures/${token}`, params: { token } });
const getImage = (token: string, query = '', headers: Record<string, string> = {}) =>
  call(pictureImage.GET, { path: `/api/pictures/${token}/image${query}`, params: { token }, headers });
const deletePicture = (token: string) =>
  call(pictureRoute.DELETE, { method: 'DELETE', path: `/api/pictures/${token}`, params: { token } });

const tokenOf = (url: string) => {
  const m = /^http:\/\/booth\.test\/p\/([A-Za-z0-9_-]{32})$/.exec(url);
  expect(m, url).not.toBeNull();
  return m?.[1] as string;
};

async function eventWith(retention_days: number) {
  const r = await postEvent({ name: `Party ${retention_days}`, retention_days });
  expect(r.status).toBe(201);
  return r.json.event as { id: string };
}

/** A session of the event with two real photos and a composed picture. */
async function composedSession(eventId: string, type: 'upload' | 'download' = 'upload') {
  const s = await createSession({ type, event_id: eventId });
  if (type === 'upload') {
    expect((await upload(s.id, await img.jpeg(1200, 900, 30))).status).toBe(201);
    expect((await upload(s.id, img.phoneExifJpeg())).status).toBe(201);
    const r = await composeIt(s.id);
    expect(r.status).toBe(201);
    return r.json.session;
  }
  const r = await postResult(s.id, await img.jpeg(1600, 1200, 120));
  expect(r.status).toBe(201);
  return r.json.session;
}

/** Every stored picture file (keys), in either mode's blob store. */
const pictureFiles = (): Promise<string[]> => storedBlobKeys('pictures/');

describe('a result becomes a picture', () => {
  it('compose in an event that keeps pictures: the session carries picture_url, the picture its JSON and bytes', async () => {
    const event = await eventWith(7);
    const before = Date.now();
    const s = await composedSession(event.id);
    const token = tokenOf(s.picture_url);
    expect(token).not.toContain(s.id);

    const r = await getPicture(token);
    expect(r.status).toBe(200);
    const p = r.json.picture;
    expect(Object.keys(p).sort()).toEqual(
      [
        'id',
        'event_id',
        'session_id',
        'created_at',
        'expires_at',
        'width',
        'height',
        'bytes',
        'url',
        'image_url',
      ].sort(),
    );
    expect(p).toMatchObject({
      event_id: event.id,
      session_id: s.id,
      url: s.picture_url,
      image_url: `/api/pictures/${token}/image`,
    });
    const created = Date.parse(p.created_at);
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(p.expires_at) - created).toBe(7 * DAY);

    const image = await getImage(token);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('content-disposition')).toMatch(
      /^inline; filename="photobooth-picture-.*\.jpg"$/,
    );
    const meta = await sharp(image.body).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBe(p.width);
    expect(meta.height).toBe(p.height);
    expect(image.body.length).toBe(p.bytes);

    // The same bytes as the session's result.
    const res = await call(result.GET, { path: `/api/session/${s.id}/result`, params: { id: s.id } });
    expect(Buffer.compare(res.body, image.body)).toBe(0);

    // The GET of the session says the same.
    expect((await getSession(s.id)).json.session.picture_url).toBe(s.picture_url);
  });

  it('?download=1 is an attachment; a strong ETag answers 304; the thumbnail is smaller', async () => {
    const s = await composedSession((await eventWith(3)).id);
    const token = tokenOf(s.picture_url);
    const dl = await getImage(token, '?download=1');
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toMatch(
      /^attachment; filename="photobooth-picture-\d{8}-\d{4}-[0-9a-f]{8}\.jpg"$/,
    );
    const etag = dl.headers.get('etag') as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(dl.headers.get('cache-control')).toContain('private');
    const again = await getImage(token, '', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const thumb = await getImage(token, '?variant=thumb');
    expect(thumb.status).toBe(200);
    expect(thumb.body.length).toBeLessThan(dl.body.length);
    expect((await getImage(token, '?variant=huge')).json.error.code).toBe('invalid_query');
  });

  it('POST …/result in a download session makes a picture too', async () => {
    const s = await composedSession((await eventWith(1)).id, 'download');
    const r = await getPicture(tokenOf(s.picture_url));
    expect(r.status).toBe(200);
    expect(r.json.picture).toMatchObject({ width: 1600, height: 1200, session_id: s.id });
    // The guest fetching it by the take-home link is the guest fetching the result: done.
    expect(s.status).toBe('ready');
    expect((await getImage(tokenOf(s.picture_url), '?variant=thumb')).status).toBe(200);
    expect((await getSession(s.id)).json.session.status).toBe('ready');
    expect((await getImage(tokenOf(s.picture_url))).status).toBe(200);
    expect((await getSession(s.id)).json.session.status).toBe('completed');
  });

  it('a replaced result updates the same picture under the same token (the QR shown stays valid)', async () => {
    const s = await composedSession((await eventWith(2)).id);
    const token = tokenOf(s.picture_url);
    const first = await getImage(token);
    const filesBefore = (await pictureFiles()).length;
    const again = await composeIt(s.id, 'strip');
    expect(again.status).toBe(201);
    expect(again.json.session.picture_url).toBe(s.picture_url);
    const second = await getImage(token);
    expect(second.status).toBe(200);
    expect(Buffer.compare(first.body, second.body)).not.toBe(0);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    // The old picture's files went; the same number of files is left.
    expect((await pictureFiles()).length).toBe(filesBefore);
    expect(await dbRows('select id from pictures where session_id = ?', [s.id])).toHaveLength(1);
  });

  it('retention_days 0 (the default event): no picture, picture_url null, no picture files', async () => {
    const filesBefore = (await pictureFiles()).length;
    const s = await createSession({ type: 'upload' });
    expect(s.picture_url).toBeNull();
    await upload(s.id, await img.jpeg());
    const r = await composeIt(s.id);
    expect(r.status).toBe(201);
    expect(r.json.session.has_result).toBe(true);
    expect(r.json.session.picture_url).toBeNull();
    expect((await pictureFiles()).length).toBe(filesBefore);
  });
});

describe('the take-home link', () => {
  it('unknown and malformed tokens are 404 picture_not_found, on every route', async () => {
    for (const token of ['A'.repeat(32), 'short', '../../etc/passwd', `${'A'.repeat(31)}%`]) {
      for (const r of [await getPicture(token), await getImage(token), await deletePicture(token)]) {
        expect(r.status).toBe(404);
        expect(r.json.error.code).toBe('picture_not_found');
      }
    }
  });

  it('a token reaches only its own picture', async () => {
    const event = await eventWith(5);
    const a = await composedSession(event.id);
    const b = await composedSession(event.id, 'download');
    const ta = tokenOf(a.picture_url);
    const tb = tokenOf(b.picture_url);
    expect(ta).not.toBe(tb);
    expect((await getPicture(ta)).json.picture.session_id).toBe(a.id);
    expect((await getPicture(tb)).json.picture.session_id).toBe(b.id);
    expect(Buffer.compare((await getImage(ta)).body, (await getImage(tb)).body)).not.toBe(0);
    // Not the session id, not a prefix or a case change of a token.
    for (const t of [a.id, ta.slice(0, 31), ta.toLowerCase() === ta ? ta.toUpperCase() : ta.toLowerCase()]) {
      expect((await getPicture(t)).status).toBe(404);
    }
  });

  it('past expires_at: 410 picture_expired for the JSON and the image', async () => {
    const s = await composedSession((await eventWith(1)).id);
    const token = tokenOf(s.picture_url);
    await expireNow(token);
    for (const r of [await getPicture(token), await getImage(token)]) {
      expect(r.status).toBe(410);
      expect(r.json.error.code).toBe('picture_expired');
    }
  });

  it("the page of an expired picture is a 410 page in the phone's language; a live one passes to the page", async () => {
    const s = await composedSession((await eventWith(1)).id);
    const token = tokenOf(s.picture_url);
    const page = (lang: string) =>
      proxy(new NextRequest(`http://booth.test/p/${token}`, { headers: { 'accept-language': lang } }));
    expect((await page('en')).status).toBe(200);
    expect((await page('en')).headers.get('x-middleware-next')).toBe('1');
    await expireNow(token);
    const en = await page('en-US,en;q=0.8');
    expect(en.status).toBe(410);
    expect(en.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await en.text()).toContain('This picture has expired');
    const ru = await page('ru-RU,ru;q=0.9');
    expect(ru.status).toBe(410);
    expect(await ru.text()).toContain('Срок хранения фотографии истёк');
    // An unknown token passes to the page, which answers 404.
    const unknown = await proxy(new NextRequest(`http://booth.test/p/${'C'.repeat(32)}`));
    expect(unknown.headers.get('x-middleware-next')).toBe('1');
  });

  it('an image already being sent is sent whole when the picture is deleted (or swept) meanwhile', async () => {
    const s = await composedSession((await eventWith(3)).id);
    const token = tokenOf(s.picture_url);
    const whole = (await getImage(token)).body;
    const path_ = `/api/pictures/${token}/image`;
    const response = await pictureImage.GET(buildRequest({ path: path_ }), {
      params: Promise.resolve({ token }),
    });
    expect(response.status).toBe(200);
    // The files go (a guest's DELETE on another worker, the sweep) before a byte was read.
    for (const key of await pictureFiles()) await removeStoredBlob(key);
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(Number(response.headers.get('content-length')));
    expect(Buffer.compare(body, whole)).toBe(0);
  });

  it('DELETE by the holder: 204, rows and files gone, then 404; the session says picture_url null and has no result', async () => {
    const s = await composedSession((await eventWith(4)).id);
    const token = tokenOf(s.picture_url);
    const filesBefore = (await pictureFiles()).length;
    const resultFiles = () => storedBlobNames(`photos/${s.id}/`);
    const photoFilesBefore = (await resultFiles()).length;
    const r = await deletePicture(token);
    expect(r.status).toBe(204);
    expect((await pictureFiles()).length).toBe(filesBefore - 2);
    expect((await getPicture(token)).status).toBe(404);
    expect((await getImage(token)).status).toBe(404);
    expect((await deletePicture(token)).status).toBe(404);
    const after = (await getSession(s.id)).json.session;
    expect(after.picture_url).toBeNull();
    // Nothing of it stays: the session's result photo went too (row and both files).
    expect(after.has_result).toBe(false);
    expect(
      (await call(result.GET, { path: `/api/session/${s.id}/result`, params: { id: s.id } })).status,
    ).toBe(404);
    expect((await resultFiles()).length).toBe(photoFilesBefore - 2);
  });
});

describe('pictures outlive their sessions and go after retention', () => {
  it('a session deleted: its picture stays, with its bytes', async () => {
    const s = await composedSession((await eventWith(2)).id);
    const token = tokenOf(s.picture_url);
    const before = await getImage(token);
    const del = await call(sessionRoute.DELETE, {
      method: 'DELETE',
      path: `/api/session/${s.id}`,
      params: { id: s.id },
      as: 'booth',
    });
    expect(del.status).toBe(204);
    expect((await getSession(s.id)).status).toBe(404);
    const r = await getPicture(token);
    expect(r.status).toBe(200);
    expect(r.json.picture.session_id).toBeNull();
    const after = await getImage(token);
    expect(after.status).toBe(200);
    expect(Buffer.compare(before.body, after.body)).toBe(0);
    // The orphan sweep leaves a picture's files alone.
    await sweepOrphans({ all: true });
    expect((await getImage(token)).status).toBe(200);
  });

  it('a session swept after expiry: the picture stays; after retention_days the sweep removes it', async () => {
    const event = await eventWith(3);
    const s0 = await createSession({ type: 'upload', event_id: event.id, ttl_minutes: 1 / 60 });
    await upload(s0.id, await img.jpeg(900, 700, 10));
    const composed = await composeIt(s0.id);
    expect(composed.status).toBe(201);
    const token = tokenOf(composed.json.session.picture_url);
    await new Promise((r) => setTimeout(r, 1100));
    const swept = await call(cleanup.POST, { path: '/api/sessions/cleanup', as: 'admin', json: {} });
    expect(swept.status).toBe(200);
    expect(swept.json.deleted_sessions).toBeGreaterThanOrEqual(1);
    expect((await getSession(s0.id)).status).toBe(404);
    expect(await blobFolderGone(`photos/${s0.id}/`)).toBe(true);
    const kept = await getImage(token);
    expect(kept.status).toBe(200);
    expect((await sharp(kept.body).metadata()).format).toBe('jpeg');

    // Two days later it is still there; after the third it goes, rows and files.
    const picture = (await getPicture(token)).json.picture;
    // (Pictures of other tests here keep 1 or 2 days: those go now, this one stays.)
    await cleanupExpired(new Date(Date.parse(picture.created_at) + 2 * DAY));
    expect((await getPicture(token)).status).toBe(200);
    const filesBefore = (await pictureFiles()).length;
    const late = await cleanupExpired(new Date(Date.parse(picture.expires_at) + 1));
    expect(late.deleted_pictures).toBeGreaterThanOrEqual(1);
    expect(late.freed_bytes).toBeGreaterThanOrEqual(picture.bytes);
    expect((await getPicture(token)).status).toBe(404);
    expect((await pictureFiles()).length).toBeLessThanOrEqual(filesBefore - 2);
  });

  it('deleting the event deletes its pictures, rows and files', async () => {
    const event = await eventWith(9);
    const s = await composedSession(event.id);
    const token = tokenOf(s.picture_url);
    expect(await blobFolderGone(`pictures/${event.id}/`)).toBe(false);
    const r = await call(eventRoute.DELETE, {
      method: 'DELETE',
      path: `/api/events/${event.id}`,
      params: { id: event.id },
      as: 'admin',
    });
    expect(r.status).toBe(204);
    expect((await getPicture(token)).status).toBe(404);
    expect(await blobFolderGone(`pictures/${event.id}/`)).toBe(true);
  });
});

describe('the session stream', () => {
  it('carries picture_url once the picture is made', async () => {
    const event = await eventWith(2);
    const s = await createSession({ type: 'upload', event_id: event.id });
    await upload(s.id, await img.jpeg());
    const abort = new AbortController();
    const request = buildRequest({ path: `/api/session/${s.id}/events`, signal: abort.signal });
    const response = await sessionEvents.GET(request, { params: Promise.resolve({ id: s.id }) });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const seen: { picture_url: string | null; has_result: boolean }[] = [];
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
    expect(seen[0]?.picture_url).toBeNull();
    const composed = await composeIt(s.id);
    expect(composed.status).toBe(201);
    await waitFor(() => seen.some((e) => e.has_result));
    const last = seen.at(-1);
    expect(last?.picture_url).toBe(composed.json.session.picture_url);
    expect(last?.picture_url).toMatch(/\/p\/[A-Za-z0-9_-]{32}$/);
    abort.abort();
    await reader.cancel().catch(() => {});
    await pump.catch(() => {});
  });
});

describe('races and changes around a picture', () => {
  const eventPictureFiles = (eventId: string) => storedBlobNames(`pictures/${eventId}/`);

  it('two composes at once: one picture, its two files only, the link shows the result that won', async () => {
    const event = await eventWith(3);
    const s = await createSession({ type: 'upload', event_id: event.id });
    expect((await upload(s.id, await img.jpeg(1200, 900, 30))).status).toBe(201);
    expect((await upload(s.id, await img.jpeg(900, 1200, 90))).status).toBe(201);
    const [a, b] = await Promise.all([composeIt(s.id, 'grid'), composeIt(s.id, 'single')]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const now = (await getSession(s.id)).json.session;
    const token = tokenOf(now.picture_url);
    expect(await picturesOfEvent(event.id)).toHaveLength(1);
    expect(await eventPictureFiles(event.id)).toHaveLength(2);
    const res = await call(result.GET, { path: `/api/session/${s.id}/result`, params: { id: s.id } });
    expect(Buffer.compare((await getImage(token)).body, res.body)).toBe(0);
  });

  it('the event deleted as a compose starts: compose answers 404, no picture row, file or folder is left', async () => {
    const event = await eventWith(3);
    const s = await createSession({ type: 'upload', event_id: event.id });
    expect((await upload(s.id, await img.jpeg(1200, 900, 30))).status).toBe(201);
    const composing = composeIt(s.id);
    const del = await call(eventRoute.DELETE, {
      method: 'DELETE',
      path: `/api/events/${event.id}`,
      params: { id: event.id },
      as: 'admin',
    });
    expect(del.status).toBe(204);
    const r = await composing;
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('session_not_found');
    expect(await picturesOfEvent(event.id)).toHaveLength(0);
    await sweepOrphans({ all: true });
    expect(await blobFolderGone(`pictures/${event.id}/`)).toBe(true);
  });

  it('deleting the event answers 204 even when its picture folder cannot be removed (the sweep takes it later)', async () => {
    const event = await eventWith(3);
    const root = path.join(env.dataDir(), 'pictures');
    const aside = `${root}-aside`;
    fs.mkdirSync(root, { recursive: true });
    fs.renameSync(root, aside);
    fs.writeFileSync(root, 'not a folder');
    try {
      const del = await call(eventRoute.DELETE, {
        method: 'DELETE',
        path: `/api/events/${event.id}`,
        params: { id: event.id },
        as: 'admin',
      });
      expect(del.status).toBe(204);
      expect(
        (
          await call(eventRoute.GET, {
            path: `/api/events/${event.id}`,
            params: { id: event.id },
            as: 'admin',
          })
        ).status,
      ).toBe(404);
    } finally {
      fs.rmSync(root);
      fs.renameSync(aside, root);
    }
  });

  it('the guest deletes the picture while a new one is composed: the deleted link stays 404, the new picture has a link of its own', async () => {
    const s = await composedSession((await eventWith(3)).id);
    const token = tokenOf(s.picture_url);
    const render = branding.renderEventPicture;
    const spy = vi.spyOn(branding, 'renderEventPicture').mockImplementation(async (...args) => {
      // Compose has chosen the picture's token (its QR is being drawn) when the guest deletes it.
      expect((await deletePicture(token)).status).toBe(204);
      return render(...args);
    });
    try {
      const r = await composeIt(s.id, 'single');
      expect(r.status).toBe(201);
      expect(spy).toHaveBeenCalled();
      expect((await getPicture(token)).status).toBe(404);
      expect((await getImage(token)).status).toBe(404);
      const fresh = tokenOf(r.json.session.picture_url);
      expect(fresh).not.toBe(token);
      expect((await getPicture(fresh)).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
  });

  it('retention_days changed later: a picture keeps its expires_at; a result saved after takes the new one', async () => {
    const event = await eventWith(3);
    const s = await composedSession(event.id);
    const token = tokenOf(s.picture_url);
    const first = (await getPicture(token)).json.picture;
    const put = await call(eventRoute.PUT, {
      method: 'PUT',
      path: `/api/events/${event.id}`,
      params: { id: event.id },
      as: 'admin',
      json: { retention_days: 1 },
    });
    expect(put.status).toBe(200);
    expect((await getPicture(token)).json.picture.expires_at).toBe(first.expires_at);
    expect((await composeIt(s.id, 'single')).status).toBe(201);
    const again = (await getPicture(token)).json.picture;
    expect(Date.parse(again.expires_at) - Date.parse(again.created_at)).toBe(DAY);
  });
});
