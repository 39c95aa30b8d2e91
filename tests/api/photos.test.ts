import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as photo from '@/app/api/session/[id]/photos/[photoId]/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import * as cleanup from '@/app/api/sessions/cleanup/route';
import { useTestEnv } from '../support/env';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';
import { blobFolderGone, removeStoredBlob, storedBlobNames, storedBytes } from '../support/storage';

const env = useTestEnv({ MAX_UPLOAD_MB: '2' });

async function newSession(type: 'upload' | 'download' = 'upload', extra: Record<string, unknown> = {}) {
  const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: { type, ...extra } });
  return r.json.session as { id: string; status: string; photo_count: number; updated_at: string };
}

function upload(
  id: string,
  file: Buffer,
  opts: { as?: string; name?: string; type?: string; field?: string } = {},
) {
  return call(photos.POST, {
    path: `/api/session/${id}/photos`,
    params: { id },
    as: opts.as,
    body: photoForm(file, opts.name, opts.type, opts.field),
  });
}

function getSession(id: string) {
  return call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } });
}

/** The session's stored photo files (names), in either mode's blob store. */
const filesOf = (id: string): Promise<string[]> => storedBlobNames(`photos/${id}/`);

function tmpFiles(): string[] {
  const dir = path.join(env.dataDir(), 'tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

describe('uploading photos', () => {
  it('a guest uploads a phone photo: 201 with the photo and session, stored upright as sRGB JPEG', async () => {
    const s = await newSession();
    const r = await upload(s.id, img.phoneExifJpeg());
    expect(r.status).toBe(201);
    expect(r.json.photo).toMatchObject({
      session_id: s.id,
      photo_type: 'uploaded',
      order_index: 0,
      content_type: 'image/jpeg',
      width: 2250,
      height: 3000,
      telegram_file_id: null,
    });
    expect(r.json.photo.url).toBe(`/api/session/${s.id}/photos/${r.json.photo.id}`);
    expect(r.json.photo.thumb_url).toBe(`/api/session/${s.id}/photos/${r.json.photo.id}?variant=thumb`);
    expect(r.json.session).toMatchObject({ id: s.id, photo_count: 1, status: 'pending' });
    expect((await filesOf(s.id)).sort()).toEqual(
      [`${r.json.photo.id}.jpg`, `${r.json.photo.id}.thumb.jpg`].sort(),
    );
    expect(tmpFiles()).toEqual([]);
  });

  it('goes ready at the 3rd photo, takes up to 5, refuses the 6th with 409 photo_limit_reached', async () => {
    const s = await newSession();
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await upload(s.id, await img.jpeg(800, 600, i * 50));
      expect(r.status).toBe(201);
      expect(r.json.photo.order_index).toBe(i);
      statuses.push(r.json.session.status);
    }
    expect(statuses).toEqual(['pending', 'pending', 'ready', 'ready', 'ready']);
    const sixth = await upload(s.id, await img.jpeg());
    expect(sixth.status).toBe(409);
    expect(sixth.json.error.code).toBe('photo_limit_reached');
    expect((await getSession(s.id)).json.session.photo_count).toBe(5);
    expect(await filesOf(s.id)).toHaveLength(10);
  });

  it('twelve simultaneous uploads to one session: exactly 5 accepted with indexes 0–4', async () => {
    const s = await newSession();
    const files = await Promise.all(Array.from({ length: 12 }, (_, i) => img.jpeg(640, 480, i * 30)));
    const answers = await Promise.all(files.map((f) => upload(s.id, f)));
    const ok = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(ok).toHaveLength(5);
    expect(refused.every((a) => a.status === 409 && a.json.error.code === 'photo_limit_reached')).toBe(true);
    expect(ok.map((a) => a.json.photo.order_index).sort()).toEqual([0, 1, 2, 3, 4]);
    const listed = await call(photos.GET, { path: `/api/session/${s.id}/photos`, params: { id: s.id } });
    expect(listed.json.photos.map((p: { order_index: number }) => p.order_index)).toEqual([0, 1, 2, 3, 4]);
    expect(await filesOf(s.id)).toHaveLength(10);
    expect(tmpFiles()).toEqual([]);
  });

  it('uploads beyond the limit are refused at once, before any photo is decoded (slots are reserved first)', async () => {
    const s = await newSession();
    const big = await img.jpeg(3000, 2250);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => upload(s.id, big).then((a) => ({ ...a, at: Date.now() - started }))),
    );
    const ok = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 409);
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(11);
    expect(refused.every((a) => a.json.error.code === 'photo_limit_reached')).toBe(true);
    // Every refusal was answered before the first accepted photo had even finished decoding.
    expect(Math.max(...refused.map((a) => a.at))).toBeLessThan(Math.min(...ok.map((a) => a.at)));
    expect(tmpFiles()).toEqual([]);
  });

  it('a failed upload gives its slot back at once', async () => {
    const s = await newSession();
    for (let i = 0; i < 4; i++)
      expect((await upload(s.id, await img.jpeg(320, 240, i * 40))).status).toBe(201);
    const corrupt = await upload(s.id, await img.truncatedJpeg());
    expect(corrupt.status).toBeGreaterThanOrEqual(415);
    const notAnImage = await upload(s.id, Buffer.from('hello, not a photo'), {
      name: 'x.txt',
      type: 'text/plain',
    });
    expect(notAnImage.status).toBe(415);
    const fifth = await upload(s.id, await img.jpeg(320, 240, 300));
    expect(fifth.status).toBe(201);
    expect(fifth.json.session.photo_count).toBe(5);
    expect((await upload(s.id, await img.jpeg(320, 240, 10))).status).toBe(409);
  });

  it('accepts JSON base64 and data: URLs, keeping telegram_file_id', async () => {
    const s = await newSession();
    const b64 = (await img.png()).toString('base64');
    const r1 = await call(photos.POST, {
      path: `/api/session/${s.id}/photos`,
      params: { id: s.id },
      json: { photo_data: b64, telegram_file_id: 'AgAD-42' },
    });
    expect(r1.status).toBe(201);
    expect(r1.json.photo.telegram_file_id).toBe('AgAD-42');
    const r2 = await call(photos.POST, {
      path: `/api/session/${s.id}/photos`,
      params: { id: s.id },
      json: { photo_data: `data:image/webp;base64,${(await img.webp()).toString('base64')}` },
    });
    expect(r2.status).toBe(201);
    expect(r2.json.photo.order_index).toBe(1);
  });

  it.each([
    ['PNG', img.png, 'image/png'],
    ['PNG with transparency', img.pngWithAlpha, 'image/png'],
    ['WebP', img.webp, 'image/webp'],
    ['AVIF', img.avif, 'image/avif'],
    ['GIF', img.gif, 'image/gif'],
  ])('accepts %s and stores a JPEG', async (_name, make, type) => {
    const s = await newSession();
    const r = await upload(s.id, await make(), { type, name: 'x.bin' });
    expect(r.status).toBe(201);
    const bytes = await call(photo.GET, {
      path: r.json.photo.url,
      params: { id: s.id, photoId: r.json.photo.id },
    });
    expect((await sharp(bytes.body).metadata()).format).toBe('jpeg');
  });

  it('booth may upload to a download session; a guest may not (403)', async () => {
    const s = await newSession('download');
    const guest = await upload(s.id, await img.jpeg());
    expect(guest.status).toBe(403);
    expect(guest.json.error.code).toBe('forbidden');
    const booth = await upload(s.id, await img.jpeg(), { as: 'booth' });
    expect(booth.status).toBe(201);
    // Three shots do not make a download session ready: only its result does.
    await upload(s.id, await img.jpeg(), { as: 'booth' });
    const third = await upload(s.id, await img.jpeg(), { as: 'booth' });
    expect(third.json.session.status).toBe('pending');
  });

  it('a wrong Bearer token on upload is 401 even for an upload session', async () => {
    const s = await newSession();
    const r = await upload(s.id, await img.jpeg(), { as: 'wrong-token' });
    expect(r.status).toBe(401);
  });
});

describe('bad uploads get their documented 4xx and change nothing', () => {
  const cases: [
    string,
    () => Promise<{ body: BodyInit; headers?: Record<string, string> }>,
    number,
    string,
  ][] = [
    [
      'text named .jpg',
      async () => ({ body: photoForm(Buffer.from('hello, not an image'), 'a.jpg') }),
      415,
      'unsupported_media_type',
    ],
    [
      'an empty file',
      async () => ({ body: photoForm(Buffer.alloc(0), 'a.jpg') }),
      415,
      'unsupported_media_type',
    ],
    [
      'SVG declared as JPEG',
      async () => ({ body: photoForm(img.svg(), 'a.jpg', 'image/jpeg') }),
      415,
      'unsupported_media_type',
    ],
    [
      'SVG declared as SVG',
      async () => ({ body: photoForm(img.svg(), 'a.svg', 'image/svg+xml') }),
      415,
      'unsupported_media_type',
    ],
    [
      'TIFF',
      async () => ({ body: photoForm(await img.tiff(), 'a.tif', 'image/tiff') }),
      415,
      'unsupported_media_type',
    ],
    ['a truncated JPEG', async () => ({ body: photoForm(await img.truncatedJpeg()) }), 422, 'invalid_image'],
    [
      'a PNG claiming 20000×20000',
      async () => ({ body: photoForm(img.pngBombHeader(), 'a.png', 'image/png') }),
      422,
      'invalid_image',
    ],
    [
      'a 3 MB file (limit 2 MB)',
      async () => ({ body: photoForm(Buffer.alloc(3 * 1024 * 1024, 1)) }),
      413,
      'photo_too_large',
    ],
    [
      'no photo field',
      async () => ({ body: photoForm(await img.jpeg(), 'a.jpg', 'image/jpeg', 'picture') }),
      400,
      'missing_photo',
    ],
    [
      'plain text body',
      async () => ({ body: 'hello', headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    ],
    [
      'multipart without boundary',
      async () => ({ body: 'x', headers: { 'content-type': 'multipart/form-data' } }),
      400,
      'invalid_request',
    ],
    [
      'malformed JSON',
      async () => ({ body: '{"photo_data": ', headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_json',
    ],
    [
      'JSON without photo_data',
      async () => ({ body: '{"photo": "x"}', headers: { 'content-type': 'application/json' } }),
      400,
      'missing_photo',
    ],
    [
      'photo_data a number',
      async () => ({ body: '{"photo_data": 5}', headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_request',
    ],
    [
      'photo_data not base64',
      async () => ({ body: '{"photo_data": "%%%***"}', headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_request',
    ],
    [
      'photo_data empty',
      async () => ({ body: '{"photo_data": ""}', headers: { 'content-type': 'application/json' } }),
      400,
      'missing_photo',
    ],
    [
      'base64 of a 3 MB blob',
      async () => ({
        body: JSON.stringify({ photo_data: Buffer.alloc(3 * 1024 * 1024, 7).toString('base64') }),
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'photo_too_large',
    ],
    [
      'base64 of text',
      async () => ({
        body: JSON.stringify({ photo_data: Buffer.from('not an image').toString('base64') }),
        headers: { 'content-type': 'application/json' },
      }),
      415,
      'unsupported_media_type',
    ],
  ];

  it.each(cases)('%s', async (_name, make, status, code) => {
    const s = await newSession();
    const { body, headers } = await make();
    const r = await call(photos.POST, {
      path: `/api/session/${s.id}/photos`,
      params: { id: s.id },
      body,
      headers,
    });
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    const after = await getSession(s.id);
    expect(after.json.session.photo_count).toBe(0);
    expect(after.json.session.updated_at).toBe(s.updated_at);
    expect(await filesOf(s.id)).toEqual([]);
    expect(tmpFiles()).toEqual([]);
  });

  it('a 30 MB body is refused with 413 from its Content-Length before it is read', async () => {
    const s = await newSession();
    const r = await call(photos.POST, {
      path: `/api/session/${s.id}/photos`,
      params: { id: s.id },
      body: new Uint8Array(30 * 1024 * 1024),
      headers: {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': String(30 * 1024 * 1024),
      },
    });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('photo_too_large');
  });

  it('unknown and malformed session ids are 404; uploads to a completed session 409, expired 410', async () => {
    for (const id of ['nope', '../tokens.json', '11111111-1111-4111-8111-111111111111']) {
      const r = await upload(id, await img.jpeg());
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('session_not_found');
    }
    const done = await newSession();
    await call(sessionRoute.PUT, {
      method: 'PUT',
      path: `/api/session/${done.id}`,
      params: { id: done.id },
      as: 'booth',
      json: { status: 'completed' },
    });
    const closed = await upload(done.id, await img.jpeg());
    expect(closed.status).toBe(409);
    expect(closed.json.error.code).toBe('session_closed');
    const old = await newSession('upload', { ttl_minutes: 0.02 });
    await new Promise((r) => setTimeout(r, 1300));
    const expired = await upload(old.id, await img.jpeg());
    expect(expired.status).toBe(410);
    expect(expired.json.error.code).toBe('session_expired');
    expect(expired.json.session.status).toBe('expired');
  });
});

describe('reading photos', () => {
  it('lists photos ordered by type then index, filters by type, 400 for an unknown type', async () => {
    const s = await newSession();
    for (let i = 0; i < 3; i++) await upload(s.id, await img.jpeg(400, 300, i * 90));
    await call(compose.POST, {
      path: `/api/session/${s.id}/compose`,
      params: { id: s.id },
      as: 'booth',
      json: { layout: 'grid' },
    });
    const all = await call(photos.GET, { path: `/api/session/${s.id}/photos`, params: { id: s.id } });
    expect(
      all.json.photos.map(
        (p: { photo_type: string; order_index: number }) => `${p.photo_type}:${p.order_index}`,
      ),
    ).toEqual(['result:0', 'uploaded:0', 'uploaded:1', 'uploaded:2']);
    const only = await call(photos.GET, {
      path: `/api/session/${s.id}/photos?type=uploaded`,
      params: { id: s.id },
    });
    expect(only.json.photos).toHaveLength(3);
    const bad = await call(photos.GET, {
      path: `/api/session/${s.id}/photos?type=video`,
      params: { id: s.id },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_query');
  });

  it('serves the image and its thumbnail with a strong ETag, long private cache, nosniff and 304', async () => {
    const s = await newSession();
    const up = await upload(s.id, img.phoneExifJpeg());
    const p = up.json.photo;
    const full = await call(photo.GET, { path: p.url, params: { id: s.id, photoId: p.id } });
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(full.body.length).toBe(p.bytes);
    const etag = full.headers.get('etag') as string;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect(full.headers.get('cache-control')).toMatch(/private.*max-age=\d+.*immutable/);
    expect(full.headers.get('x-content-type-options')).toBe('nosniff');
    expect(full.headers.get('content-disposition')).toMatch(/^inline; filename="photobooth-photo-.*\.jpg"$/);
    const thumb = await call(photo.GET, { path: p.thumb_url, params: { id: s.id, photoId: p.id } });
    const tm = await sharp(thumb.body).metadata();
    expect(Math.max(tm.width ?? 0, tm.height ?? 0)).toBe(400);
    expect(thumb.headers.get('etag')).not.toBe(etag);
    const cached = await call(photo.GET, {
      path: p.url,
      params: { id: s.id, photoId: p.id },
      headers: { 'if-none-match': etag },
    });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
  });

  it('unknown or malformed photo ids are 404 photo_not_found; a bad variant is 400', async () => {
    const s = await newSession();
    for (const photoId of ['x', '../../tokens', '22222222-2222-4222-8222-222222222222']) {
      const r = await call(photo.GET, {
        path: `/api/session/${s.id}/photos/${photoId}`,
        params: { id: s.id, photoId },
      });
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('photo_not_found');
    }
    const up = await upload(s.id, await img.jpeg());
    const bad = await call(photo.GET, {
      path: `${up.json.photo.url}?variant=huge`,
      params: { id: s.id, photoId: up.json.photo.id },
    });
    expect(bad.status).toBe(400);
    // A photo of one session is not reachable through another session's id.
    const other = await newSession();
    const cross = await call(photo.GET, { path: '/x', params: { id: other.id, photoId: up.json.photo.id } });
    expect(cross.status).toBe(404);
  });
});

describe('results and compose', () => {
  it('result not ready: 404 result_not_ready; a booth saves one: upload session → completed', async () => {
    const s = await newSession();
    const none = await call(result.GET, { path: `/api/session/${s.id}/result`, params: { id: s.id } });
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe('result_not_ready');
    const guest = await call(result.POST, {
      path: `/api/session/${s.id}/result`,
      params: { id: s.id },
      body: photoForm(await img.jpeg()),
    });
    expect(guest.status).toBe(401);
    const saved = await call(result.POST, {
      path: `/api/session/${s.id}/result`,
      params: { id: s.id },
      as: 'booth',
      body: photoForm(await img.jpeg()),
    });
    expect(saved.status).toBe(201);
    expect(saved.json.photo.photo_type).toBe('result');
    expect(saved.json.session).toMatchObject({ status: 'completed', has_result: true });
  });

  it('a new result replaces the old one (row and files)', async () => {
    const s = await newSession('download');
    const first = await call(result.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      body: photoForm(await img.jpeg(600, 400, 10)),
    });
    const second = await call(result.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      body: photoForm(await img.jpeg(600, 400, 200)),
    });
    expect(second.status).toBe(201);
    const listed = await call(photos.GET, { path: '/x?type=result', params: { id: s.id } });
    expect(listed.json.photos.map((p: { id: string }) => p.id)).toEqual([second.json.photo.id]);
    expect((await filesOf(s.id)).some((f) => f.startsWith(first.json.photo.id))).toBe(false);
  });

  it('download session: ready when the result is saved; the guest fetch completes it; ?download=1 is an attachment', async () => {
    const s = await newSession('download');
    const saved = await call(result.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      json: { photo_data: (await img.jpeg()).toString('base64') },
    });
    expect(saved.json.session.status).toBe('ready');
    const boothView = await call(result.GET, { path: '/x', params: { id: s.id }, as: 'booth' });
    expect(boothView.status).toBe(200);
    expect((await getSession(s.id)).json.session.status).toBe('ready');
    const got = await call(result.GET, { path: '/x?download=1', params: { id: s.id } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toMatch(
      /^attachment; filename="photobooth-picture-.*\.jpg"$/,
    );
    expect(got.headers.get('cache-control')).toMatch(/no-cache/);
    expect((await sharp(got.body).metadata()).format).toBe('jpeg');
    expect((await getSession(s.id)).json.session.status).toBe('completed');
  });

  it.each([
    ['grid', 5, 1800, 1200],
    ['grid', 3, 1800, 1200],
    ['strip', 4, 1200, 1800],
    ['single', 2, 1800, 1200],
  ] as const)('compose %s from %i photos → %i×%i JPEG', async (layout, n, w, h) => {
    const s = await newSession();
    for (let i = 0; i < n; i++) await upload(s.id, await img.jpeg(900, 700, i * 60));
    const r = await call(compose.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      json: { layout, caption: 'Анна и Иван · 2026' },
    });
    expect(r.status).toBe(201);
    expect(r.json.photo).toMatchObject({ photo_type: 'result', width: w, height: h });
    expect(r.json.session).toMatchObject({ status: 'completed', has_result: true });
    const bytes = await call(result.GET, { path: '/x', params: { id: s.id } });
    const meta = await sharp(bytes.body).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([w, h, 'jpeg']);
  });

  it('the caption is drawn (Cyrillic included): the bottom band is not blank', async () => {
    const s = await newSession();
    await upload(s.id, await img.jpeg());
    const withCaption = await call(compose.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      json: { layout: 'single', caption: 'Свадьба Анны' },
    });
    const bytes = await call(result.GET, { path: '/x', params: { id: s.id }, as: 'booth' });
    const band = await sharp(bytes.body)
      .extract({ left: 0, top: 1080, width: 1800, height: 100 })
      .greyscale()
      .raw()
      .toBuffer();
    const dark = band.filter((v) => v < 128).length;
    expect(withCaption.status).toBe(201);
    expect(dark).toBeGreaterThan(1000);
  });

  it('compose errors: no photos 409, bad layout 400, guest 401', async () => {
    const s = await newSession();
    const empty = await call(compose.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      json: { layout: 'grid' },
    });
    expect(empty.status).toBe(409);
    expect(empty.json.error.code).toBe('no_photos');
    const bad = await call(compose.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      json: { layout: 'collage' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_layout');
    const guest = await call(compose.POST, { path: '/x', params: { id: s.id }, json: { layout: 'grid' } });
    expect(guest.status).toBe(401);
  });
});

describe('delete and cleanup remove files', () => {
  it('DELETE removes rows and files', async () => {
    const s = await newSession();
    await upload(s.id, await img.jpeg());
    expect(await filesOf(s.id)).toHaveLength(2);
    await call(sessionRoute.DELETE, { method: 'DELETE', path: '/x', params: { id: s.id }, as: 'booth' });
    expect(await blobFolderGone(`photos/${s.id}/`)).toBe(true);
  });

  it('expiry with a short TTL: 410, then cleanup deletes rows and files and reports what it freed', async () => {
    const s = await newSession('upload', { ttl_minutes: 0.02 });
    await upload(s.id, await img.jpeg());
    await upload(s.id, await img.jpeg());
    const onDisk = await storedBytes(`photos/${s.id}/`);
    await new Promise((r) => setTimeout(r, 1300));
    expect((await getSession(s.id)).status).toBe(410);
    const guest = await call(cleanup.POST, { path: '/api/sessions/cleanup', json: {} });
    expect(guest.status).toBe(401);
    const r = await call(cleanup.POST, { path: '/api/sessions/cleanup', as: 'admin', json: {} });
    expect(r.status).toBe(200);
    expect(r.json.deleted_sessions).toBeGreaterThanOrEqual(1);
    expect(r.json.deleted_photos).toBeGreaterThanOrEqual(2);
    expect(r.json.freed_bytes).toBeGreaterThanOrEqual(onDisk);
    expect((await getSession(s.id)).status).toBe(404);
    expect(await blobFolderGone(`photos/${s.id}/`)).toBe(true);
  });
});

describe('an upload that breaks off', () => {
  it('a body that fails mid-stream takes no slot and leaves no file', async () => {
    const s = await newSession();
    const boundary = 'XbreakX';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    const part = (await img.jpeg(1600, 1200)).subarray(0, 20_000);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(head));
        controller.enqueue(new Uint8Array(part));
        setTimeout(() => controller.error(new Error('client went away')), 20);
      },
    });
    const r = await call(photos.POST, {
      path: `/api/session/${s.id}/photos`,
      params: { id: s.id },
      body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(r.status).toBe(400);
    expect(tmpFiles()).toEqual([]);
    expect(await filesOf(s.id)).toEqual([]);
    expect((await getSession(s.id)).json.session.photo_count).toBe(0);
  });
});

describe('review fixes', () => {
  it('a wrong Bearer token on the result is 401 and does not complete a download session', async () => {
    const s = await newSession('download');
    await call(result.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      body: photoForm(await img.jpeg()),
    });
    const r = await call(result.GET, { path: '/x', params: { id: s.id }, as: 'not-a-token' });
    expect(r.status).toBe(401);
    expect((await getSession(s.id)).json.session.status).toBe('ready');
    const thumb = await call(result.GET, { path: '/x?variant=thumb', params: { id: s.id } });
    expect(thumb.status).toBe(200);
    expect((await getSession(s.id)).json.session.status).toBe('ready');
  });

  it('compose with a photo file gone from disk is 507 storage_unavailable, not a 500', async () => {
    const s = await newSession();
    const up = await upload(s.id, await img.jpeg());
    await removeStoredBlob(`photos/${s.id}/${up.json.photo.id}.jpg`);
    const r = await call(compose.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      json: { layout: 'grid' },
    });
    expect(r.status).toBe(507);
    expect(r.json.error.code).toBe('storage_unavailable');
    expect((await getSession(s.id)).json.session.has_result).toBe(false);
  });

  it('a result posted to an expired session is refused before its body is read', async () => {
    const s = await newSession('download', { ttl_minutes: 0.02 });
    await new Promise((r) => setTimeout(r, 1300));
    const r = await call(result.POST, {
      path: '/x',
      params: { id: s.id },
      as: 'booth',
      body: photoForm(await img.jpeg()),
    });
    expect(r.status).toBe(410);
  });
});
