import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import * as pair from '@/app/api/booth/pair/route';
import * as eventBooths from '@/app/api/events/[id]/booths/route';
import * as frameRoute from '@/app/api/events/[id]/frame/route';
import * as previewRoute from '@/app/api/events/[id]/preview/route';
import * as eventRoute from '@/app/api/events/[id]/route';
import * as eventsRoute from '@/app/api/events/route';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as create from '@/app/api/session/create/route';
import { blobStore } from '@/lib/blobs';
import { renderPreview } from '@/lib/branding';
import { sweepOrphans } from '@/lib/cleanup';
import { loadEvent } from '@/lib/event-rules';
import { pictureCells } from '@/lib/images';
import { composeResult } from '@/lib/photos';
import { useTestEnv } from '../support/env';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';
import {
  blobExists,
  blobFolderGone,
  readStoredBlob,
  removeStoredBlob,
  storedBlobNames,
} from '../support/storage';

/**
 * Branded pictures: the frame upload with each of its errors, and what compose and the preview
 * draw, read back from the finished JPEG's pixels (frame, photos, theme, caption, QR code, crop).
 */

// A small upload limit, so "too large" costs 3 MB.
useTestEnv({ MAX_UPLOAD_MB: '2' });

const RGB = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as number[];
const PURPLE = '#7c3aed';
const BLUE = '#2563eb';
const GREEN = '#16a34a';
const YELLOW = '#fde68a';
const RED = '#dc2626';

// ------------------------------------------------------------------------------------- helpers

const postEvent = (json: unknown) => call(eventsRoute.POST, { path: '/api/events', as: 'admin', json });
const getEvent = (id: string) =>
  call(eventRoute.GET, { path: `/api/events/${id}`, params: { id }, as: 'admin' });
const deleteEvent = (id: string) =>
  call(eventRoute.DELETE, { method: 'DELETE', path: `/api/events/${id}`, params: { id }, as: 'admin' });
const putFrame = (id: string, file: Buffer, as = 'admin', name = 'frame.png', type = 'image/png') =>
  call(frameRoute.PUT, {
    method: 'PUT',
    path: `/api/events/${id}/frame`,
    params: { id },
    as,
    body: photoForm(file, name, type, 'frame'),
  });
const deleteFrame = (id: string, as = 'admin') =>
  call(frameRoute.DELETE, { method: 'DELETE', path: `/api/events/${id}/frame`, params: { id }, as });
const preview = (id: string, json: unknown, as = 'admin') =>
  call(previewRoute.POST, { path: `/api/events/${id}/preview`, params: { id }, as, json });

async function newEvent(json: Record<string, unknown> = {}) {
  const r = await postEvent({ name: 'Party', caption: null, print_qr: false, ...json });
  expect(r.status).toBe(201);
  return r.json.event;
}

/** An upload session of the event with these photos, composed: the finished JPEG. */
async function sessionWith(eventId: string, files: Buffer[]): Promise<string> {
  const s = await call(create.POST, {
    path: '/api/session/create',
    as: 'booth',
    json: { type: 'upload', event_id: eventId },
  });
  expect(s.status).toBe(201);
  const id = s.json.session.id;
  for (const file of files) {
    const r = await call(photos.POST, {
      path: `/api/session/${id}/photos`,
      params: { id },
      as: 'booth',
      body: photoForm(file),
    });
    expect(r.status).toBe(201);
  }
  return id;
}

async function composed(id: string, json: unknown): Promise<Buffer> {
  const c = await call(compose.POST, {
    path: `/api/session/${id}/compose`,
    params: { id },
    as: 'booth',
    json,
  });
  expect(c.status).toBe(201);
  return resultOf(id);
}

async function resultOf(id: string): Promise<Buffer> {
  const r = await call(result.GET, { path: `/api/session/${id}/result`, params: { id }, as: 'booth' });
  expect(r.status).toBe(200);
  return r.body;
}

interface Pixels {
  data: Buffer;
  width: number;
  height: number;
}

async function pixels(jpeg: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The mean colour of the 9×9 square around (x, y). */
function at(p: Pixels, x: number, y: number): number[] {
  const sum = [0, 0, 0];
  for (let dy = -4; dy <= 4; dy++)
    for (let dx = -4; dx <= 4; dx++)
      for (let c = 0; c < 3; c++)
        sum[c] = (sum[c] as number) + (p.data[((y + dy) * p.width + x + dx) * 3 + c] as number);
  return sum.map((v) => Math.round(v / 81));
}

function expectColour(actual: number[], hex: string, tolerance = 18) {
  const want = RGB(hex);
  const off = Math.max(...actual.map((v, i) => Math.abs(v - (want[i] as number))));
  expect(off, `${JSON.stringify(actual)} should be ${hex}`).toBeLessThanOrEqual(tolerance);
}

/** How many pixels of the rectangle are within `tolerance` of the colour. */
function countColour(
  p: Pixels,
  hex: string,
  box: { left: number; top: number; width: number; height: number },
  tolerance = 40,
) {
  const want = RGB(hex);
  let n = 0;
  for (let y = box.top; y < box.top + box.height; y++)
    for (let x = box.left; x < box.left + box.width; x++) {
      const i = (y * p.width + x) * 3;
      if (want.every((v, c) => Math.abs((p.data[i + c] as number) - v) <= tolerance)) n++;
    }
  return n;
}

function readQr(p: Pixels) {
  const rgba = new Uint8ClampedArray(p.width * p.height * 4);
  for (let i = 0, j = 0; i < p.data.length; i += 3, j += 4) {
    rgba[j] = p.data[i] as number;
    rgba[j + 1] = p.data[i + 1] as number;
    rgba[j + 2] = p.data[i + 2] as number;
    rgba[j + 3] = 255;
  }
  return jsQR(rgba, p.width, p.height);
}

const solid = (hex: string, w = 1200, h = 900) =>
  sharp({ create: { width: w, height: h, channels: 3, background: hex } })
    .jpeg({ quality: 92 })
    .toBuffer();

/** A frame: an opaque border `thickness` px wide, transparent inside; optionally an opaque logo block. */
function borderFrame(opts: { w?: number; h?: number; thickness?: number; logo?: 'bottom-right' } = {}) {
  const { w = 1800, h = 1200, thickness = 80 } = opts;
  const logo = opts.logo
    ? `<rect x="${w - 400}" y="${h - 400}" width="400" height="400" fill="${PURPLE}"/>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <rect x="${thickness / 2}" y="${thickness / 2}" width="${w - thickness}" height="${h - thickness}" fill="none" stroke="${PURPLE}" stroke-width="${thickness}"/>${logo}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** The event's stored frame files (names), in either mode's blob store. */
const frameFiles = (eventId: string): Promise<string[]> => storedBlobNames(`frames/${eventId}/`);
const frameKey = (eventId: string, name: string) => `frames/${eventId}/${name}`;

// ------------------------------------------------------------------------------------- frames

describe('PUT /api/events/:id/frame', () => {
  it('stores a transparent PNG (has_frame true) as a PNG file; a new one replaces it and its file', async () => {
    const e = await newEvent();
    expect(e.has_frame).toBe(false);
    const r = await putFrame(e.id, await borderFrame());
    expect(r.status).toBe(200);
    expect(r.json.event).toMatchObject({ id: e.id, has_frame: true });
    expect((await getEvent(e.id)).json.event.has_frame).toBe(true);
    const [first] = await frameFiles(e.id);
    expect(first).toMatch(/\.png$/);
    const stored = await readStoredBlob(frameKey(e.id, first as string));
    expect(stored).not.toBeNull();
    const meta = await sharp(stored as Buffer).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 1800, height: 1200, hasAlpha: true });

    const webp = await sharp(await borderFrame({ w: 900, h: 600 }))
      .webp({ lossless: true })
      .toBuffer();
    const again = await putFrame(e.id, webp, 'admin', 'frame.webp', 'image/webp');
    expect(again.status).toBe(200);
    expect(again.json.event.has_frame).toBe(true);
    const files = await frameFiles(e.id);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toBe(first);
  });

  it('DELETE removes the frame and its file (has_frame false); deleting the event removes its frame', async () => {
    const e = await newEvent();
    expect((await putFrame(e.id, await borderFrame())).status).toBe(200);
    expect(await frameFiles(e.id)).toHaveLength(1);
    const d = await deleteFrame(e.id);
    expect(d.status).toBe(200);
    expect(d.json.event.has_frame).toBe(false);
    expect(await frameFiles(e.id)).toHaveLength(0);
    expect((await deleteFrame(e.id)).json.event.has_frame).toBe(false);

    const other = await newEvent();
    expect((await putFrame(other.id, await borderFrame())).status).toBe(200);
    expect((await deleteEvent(other.id)).status).toBe(204);
    expect(await blobFolderGone(`frames/${other.id}/`)).toBe(true);
  });

  it('refuses what cannot be a frame, each with its code, and keeps the frame it had', async () => {
    const e = await newEvent();
    expect((await putFrame(e.id, await borderFrame())).status).toBe(200);
    const before = await frameFiles(e.id);
    const opaqueWithAlpha = await sharp({
      create: { width: 400, height: 300, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } },
    })
      .png()
      .toBuffer();
    const noisyFrame = await sharp(
      Buffer.from(
        Array.from({ length: 600 * 400 * 4 }, (_, i) => (i % 4 === 3 ? (i % 7) * 30 : (i * 37) % 256)),
      ),
      { raw: { width: 600, height: 400, channels: 4 } },
    )
      .png()
      .toBuffer();
    const cases: [string, Buffer, number, string, string?][] = [
      ['text', Buffer.from('not an image at all'), 415, 'unsupported_media_type', 'text/plain'],
      ['svg', img.svg(), 415, 'unsupported_media_type', 'image/svg+xml'],
      ['corrupt png', noisyFrame.subarray(0, Math.floor(noisyFrame.length / 2)), 422, 'invalid_image'],
      ['decompression bomb', img.pngBombHeader(), 422, 'invalid_image'],
      ['opaque png', await img.png(), 422, 'invalid_frame'],
      ['opaque png with alpha', opaqueWithAlpha, 422, 'invalid_frame'],
      ['jpeg', await img.jpeg(), 422, 'invalid_frame', 'image/jpeg'],
      ['too large', Buffer.alloc(3 * 1024 * 1024, 7), 413, 'photo_too_large'],
    ];
    for (const [name, file, status, code, type] of cases) {
      const r = await putFrame(e.id, file, 'admin', 'frame', type ?? 'image/png');
      expect([name, r.status, r.json?.error?.code]).toEqual([name, status, code]);
    }
    expect(await frameFiles(e.id)).toEqual(before);
    expect((await getEvent(e.id)).json.event.has_frame).toBe(true);
    // The noisy frame itself, whole, is a frame: it is the truncation that was refused.
    expect((await putFrame(e.id, noisyFrame)).status).toBe(200);
  });

  it('no file in "frame": 400 missing_frame; not multipart: 415', async () => {
    const e = await newEvent();
    const wrongField = await call(frameRoute.PUT, {
      method: 'PUT',
      path: `/api/events/${e.id}/frame`,
      params: { id: e.id },
      as: 'admin',
      body: photoForm(await borderFrame(), 'f.png', 'image/png', 'photo'),
    });
    expect([wrongField.status, wrongField.json.error.code]).toEqual([400, 'missing_frame']);
    const asJson = await call(frameRoute.PUT, {
      method: 'PUT',
      path: `/api/events/${e.id}/frame`,
      params: { id: e.id },
      as: 'admin',
      json: { frame: 'x' },
    });
    expect([asJson.status, asJson.json.error.code]).toEqual([415, 'unsupported_media_type']);
  });

  it('unknown event 404 event_not_found; guests 401, booths 403 (upload and delete)', async () => {
    const frame = await borderFrame();
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const r = await putFrame(id, frame);
      expect([r.status, r.json.error.code]).toEqual([404, 'event_not_found']);
      expect((await deleteFrame(id)).status).toBe(404);
    }
    const e = await newEvent();
    const guest = await putFrame(e.id, frame, 'guest');
    expect([guest.status, guest.json.error.code]).toEqual([401, 'unauthorized']);
    const booth = await putFrame(e.id, frame, 'booth');
    expect([booth.status, booth.json.error.code]).toEqual([403, 'forbidden']);
    expect((await deleteFrame(e.id, 'guest')).status).toBe(401);
    expect((await deleteFrame(e.id, 'booth')).status).toBe(403);
    expect(await frameFiles(e.id)).toHaveLength(0);
  });
});

// ------------------------------------------------------------------------------------- compose

describe('compose draws the event template', () => {
  it('frame over photos, theme background in the gaps, caption in the theme text colour', async () => {
    const e = await newEvent({ theme: { background: YELLOW, text: RED }, caption: 'Hello Party' });
    expect((await putFrame(e.id, await borderFrame())).status).toBe(200);
    const id = await sessionWith(e.id, [await solid(BLUE), await solid(GREEN)]);
    const p = await pixels(await composed(id, { layout: 'grid' }));
    expect([p.width, p.height]).toEqual([1800, 1200]);
    const [a, b] = pictureCells('grid', 2, { caption: true }) as [
      { left: number; top: number; width: number; height: number },
      { left: number; top: number; width: number; height: number },
    ];
    // The frame's opaque border: on the photos' edge and on the canvas alike.
    expectColour(at(p, 40, 600), PURPLE);
    expectColour(at(p, a.left + 30, a.top + 200), PURPLE);
    expectColour(at(p, 900, 20), PURPLE);
    // Its transparent window shows the photos...
    expectColour(at(p, a.left + a.width / 2, a.top + a.height / 2), BLUE);
    expectColour(at(p, b.left + b.width / 2, b.top + b.height / 2), GREEN);
    // ...and, between them, the theme's background.
    expectColour(at(p, Math.round((a.left + a.width + b.left) / 2), 500), YELLOW, 12);
    // The caption band: the background, with text in the theme's text colour.
    const band = {
      left: 100,
      top: a.top + a.height + 30,
      width: 1600,
      height: 1120 - (a.top + a.height + 30),
    };
    expect(countColour(p, RED, band)).toBeGreaterThan(2000);
    expect(countColour(p, YELLOW, band, 12)).toBeGreaterThan(band.width * band.height * 0.5);
    expect(countColour(p, RED, { left: a.left + 100, top: a.top + 100, width: 600, height: 600 })).toBe(0);
  });

  it("no caption in the body takes the event's; null removes it (the photos take the band)", async () => {
    const e = await newEvent({ theme: { text: RED }, caption: 'From the event' });
    const id = await sessionWith(e.id, [await solid(BLUE)]);
    const band = { left: 100, top: 1060, width: 1600, height: 100 };
    const withCaption = await pixels(await composed(id, { layout: 'single' }));
    expect(countColour(withCaption, RED, band)).toBeGreaterThan(2000);
    const without = await pixels(await composed(id, { layout: 'single', caption: null }));
    expect(countColour(without, RED, band)).toBe(0);
    expect(countColour(without, BLUE, band, 20)).toBeGreaterThan(band.width * band.height * 0.9);
    const own = await pixels(await composed(id, { layout: 'single', caption: 'Mine' }));
    expect(countColour(own, RED, band)).toBeGreaterThan(300);
  });

  it('print_qr on: the QR code of the take-home link reads back exactly, bottom-right', async () => {
    const e = await newEvent({ print_qr: true, caption: 'With a code' });
    const id = await sessionWith(e.id, [await img.jpeg(1200, 900, 30), await img.jpeg(1200, 900, 200)]);
    const url = `http://booth.test/p/${'AbC123xyz_-'.repeat(2)}`;
    await composeResult(id, 'grid', undefined, { qrUrl: url });
    const p = await pixels(await resultOf(id));
    const qr = readQr(p);
    expect(qr?.data).toBe(url);
    const loc = qr?.location as NonNullable<typeof qr>['location'];
    expect(loc.topLeftCorner.x).toBeGreaterThan(1500);
    expect(loc.topLeftCorner.y).toBeGreaterThan(900);
    // Big enough to print and scan: ~160–200 px with its white quiet zone.
    const side = loc.topRightCorner.x - loc.topLeftCorner.x;
    expect(side).toBeGreaterThan(120);
    expect(side).toBeLessThan(200);
    expectColour(
      at(p, Math.round(loc.topLeftCorner.x) - 10, Math.round(loc.topLeftCorner.y) - 10),
      '#ffffff',
      10,
    );
  });

  it("compose over HTTP prints the QR of the picture's own take-home link, which opens the picture", async () => {
    const e = await newEvent({ print_qr: true, retention_days: 7 });
    const id = await sessionWith(e.id, [await img.jpeg(1200, 900, 30), await img.jpeg(1200, 900, 200)]);
    const c = await call(compose.POST, {
      path: `/api/session/${id}/compose`,
      params: { id },
      as: 'booth',
      json: { layout: 'grid' },
    });
    expect(c.status).toBe(201);
    const pictureUrl = c.json.session.picture_url as string;
    expect(pictureUrl).toMatch(/^http:\/\/booth\.test\/p\/[A-Za-z0-9_-]{32}$/);
    expect(readQr(await pixels(await resultOf(id)))?.data).toBe(pictureUrl);
    // Without kept pictures there is no take-home link to print: no QR at all.
    const gone = await newEvent({ print_qr: true, retention_days: 0 });
    const other = await sessionWith(gone.id, [await img.jpeg(1200, 900, 30)]);
    expect(readQr(await pixels(await composed(other, { layout: 'single' })))).toBeNull();
  });

  it('compose refuses a layout the event does not offer (400 invalid_layout), and makes nothing', async () => {
    const e = await newEvent({ layouts: ['strip'] });
    const id = await sessionWith(e.id, [await img.jpeg(1200, 900, 30)]);
    const c = await call(compose.POST, {
      path: `/api/session/${id}/compose`,
      params: { id },
      as: 'booth',
      json: { layout: 'grid' },
    });
    expect(c.status).toBe(400);
    expect(c.json.error.code).toBe('invalid_layout');
    expect(c.json.error.message).toContain('strip');
    const r = await call(result.GET, { path: `/api/session/${id}/result`, params: { id }, as: 'booth' });
    expect(r.status).toBe(404);
    // No layout given: the event's first (here its only) one.
    const strip = await pixels(await composed(id, {}));
    expect(strip.height).toBeGreaterThan(strip.width);
  });

  it('the QR code goes to the corner the frame leaves clear', async () => {
    const e = await newEvent({ print_qr: true });
    expect((await putFrame(e.id, await borderFrame({ thickness: 16, logo: 'bottom-right' }))).status).toBe(
      200,
    );
    const id = await sessionWith(e.id, [await img.jpeg(1200, 900, 100)]);
    const url = 'http://booth.test/p/corner-test-token';
    await composeResult(id, 'single', null, { qrUrl: url });
    const p = await pixels(await resultOf(id));
    const qr = readQr(p);
    expect(qr?.data).toBe(url);
    expect(qr?.location.topLeftCorner.x).toBeLessThan(300);
    expect(qr?.location.topLeftCorner.y).toBeGreaterThan(900);
    expectColour(at(p, 1700, 1100), PURPLE);
  });

  it('print_qr off: no QR code, even when a link is given', async () => {
    const e = await newEvent({ print_qr: false });
    const id = await sessionWith(e.id, [await img.jpeg(1200, 900, 30)]);
    await composeResult(id, 'grid', 'No code', { qrUrl: 'http://booth.test/p/nope' });
    expect(readQr(await pixels(await resultOf(id)))).toBeNull();
  });

  it("crops by attention: a portrait photo's face near the top stays in a landscape cell", async () => {
    const face = '#e11d48';
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="1500">
      <rect width="100%" height="100%" fill="#808080"/>
      <circle cx="300" cy="180" r="110" fill="${face}"/>
      <circle cx="260" cy="160" r="18" fill="#fff"/><circle cx="340" cy="160" r="18" fill="#000"/></svg>`;
    const portrait = await sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer();
    const e = await newEvent();
    const id = await sessionWith(e.id, [portrait]);
    const [cell] = pictureCells('single', 1, { caption: false }) as [
      { left: number; top: number; width: number; height: number },
    ];
    // A centre crop of this photo into the cell cuts the face away entirely...
    const centre = await sharp(portrait)
      .resize({ width: cell.width, height: cell.height, fit: 'cover', position: 'centre' })
      .png()
      .toBuffer();
    expect(
      countColour(await pixels(centre), face, { left: 0, top: 0, width: cell.width, height: cell.height }),
    ).toBe(0);
    // ...compose keeps it.
    const p = await pixels(await composed(id, { layout: 'single' }));
    expect(countColour(p, face, cell)).toBeGreaterThan(100_000);
  });
});

// ------------------------------------------------------------------------------------- preview

describe('POST /api/events/:id/preview', () => {
  it('answers the template with the sample photos as a JPEG of the layout, frame and QR included', async () => {
    const e = await newEvent({
      print_qr: true,
      theme: { background: YELLOW, text: RED },
      caption: 'Preview',
    });
    expect((await putFrame(e.id, await borderFrame())).status).toBe(200);
    const r = await preview(e.id, { layout: 'grid' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/jpeg');
    const p = await pixels(r.body);
    expect([p.width, p.height]).toEqual([1800, 1200]);
    expectColour(at(p, 40, 600), PURPLE);
    expect(readQr(p)?.data).toBe('http://booth.test/p/preview');
    expect(countColour(p, RED, { left: 100, top: 1060, width: 1400, height: 60 })).toBeGreaterThan(1000);

    const strip = await preview(e.id, { layout: 'strip', caption: 'Another caption' });
    expect(strip.status).toBe(200);
    const s = await pixels(strip.body);
    expect([s.width, s.height]).toEqual([1200, 1800]);
    expectColour(at(s, 40, 900), PURPLE);
    const single = await pixels((await preview(e.id, { layout: 'single' }, 'booth')).body);
    expect([single.width, single.height]).toEqual([1800, 1200]);
  });

  it('is the same picture compose makes from the same photos', async () => {
    const e = await newEvent({ theme: { background: YELLOW }, caption: 'Same' });
    expect((await putFrame(e.id, await borderFrame())).status).toBe(200);
    // A strip takes four photos: upload the first four samples and compose them.
    const samples = [1, 2, 3, 4].map((i) =>
      fs.readFileSync(path.join('assets', 'samples', `sample-${i}.jpg`)),
    );
    const id = await sessionWith(e.id, samples);
    const c = await pixels(await composed(id, { layout: 'strip' }));
    const r = await preview(e.id, { layout: 'strip' });
    const v = await pixels(r.body);
    expect([v.width, v.height]).toEqual([c.width, c.height]);
    // Pixel for pixel alike but for JPEG noise (the uploads were re-encoded once more).
    let diff = 0;
    for (let i = 0; i < c.data.length; i++) diff += Math.abs((c.data[i] as number) - (v.data[i] as number));
    expect(diff / c.data.length).toBeLessThan(3);
    // And not alike by accident: another layout's preview differs a lot.
    const other = await pixels((await preview(e.id, { layout: 'strip', caption: null })).body);
    let otherDiff = 0;
    for (let i = 0; i < c.data.length; i++)
      otherDiff += Math.abs((c.data[i] as number) - (other.data[i] as number));
    expect(otherDiff / c.data.length).toBeGreaterThan(10);
  });

  it('a paired booth previews its own event only, and may not upload its frame', async () => {
    const own = await newEvent();
    const other = await newEvent();
    const made = await call(eventBooths.POST, {
      path: `/api/events/${own.id}/booths`,
      params: { id: own.id },
      as: 'admin',
      json: { name: 'Kiosk' },
    });
    expect(made.status).toBe(201);
    const paired = await call(pair.POST, { path: '/api/booth/pair', json: { code: made.json.pairing.code } });
    expect(paired.status).toBe(200);
    const headers = {
      cookie: String(paired.headers.get('set-cookie')).split(';')[0] as string,
      origin: 'http://booth.test',
    };
    const mine = await call(previewRoute.POST, {
      path: `/api/events/${own.id}/preview`,
      params: { id: own.id },
      headers,
      json: { layout: 'single' },
    });
    expect([mine.status, mine.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    const theirs = await call(previewRoute.POST, {
      path: `/api/events/${other.id}/preview`,
      params: { id: other.id },
      headers,
      json: { layout: 'single' },
    });
    expect([theirs.status, theirs.json.error.code]).toEqual([403, 'forbidden']);
    const upload = await call(frameRoute.PUT, {
      method: 'PUT',
      path: `/api/events/${own.id}/frame`,
      params: { id: own.id },
      headers,
      body: photoForm(await borderFrame(), 'f.png', 'image/png', 'frame'),
    });
    expect([upload.status, upload.json.error.code]).toEqual([403, 'forbidden']);
  });

  it('bad layout 400 invalid_layout; unknown event 404; guest 401', async () => {
    const e = await newEvent();
    const bad = await preview(e.id, { layout: 'collage' });
    expect([bad.status, bad.json.error.code]).toEqual([400, 'invalid_layout']);
    const unknown = await preview(randomUUID(), { layout: 'grid' });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'event_not_found']);
    const guest = await preview(e.id, { layout: 'grid' }, 'guest');
    expect([guest.status, guest.json.error.code]).toEqual([401, 'unauthorized']);
  });
});

describe('frames on disk after a crash or a race', () => {
  it('the orphan sweep removes frame files no event points to, and keeps each current frame', async () => {
    const e = await newEvent();
    expect((await putFrame(e.id, await borderFrame())).status).toBe(200);
    const [current] = await frameFiles(e.id);
    // A crash between the frame's write and its commit, and one during an event's deletion.
    const png = await borderFrame({ w: 90, h: 60 });
    const stray = frameKey(e.id, `${randomUUID()}.png`);
    const goneEvent = `frames/${randomUUID()}/`;
    await blobStore().put(stray, png, { contentType: 'image/png' });
    await blobStore().put(`${goneEvent}${randomUUID()}.png`, png, { contentType: 'image/png' });

    // A fresh file may be an upload between its rename and its commit: kept by the periodic sweep.
    await sweepOrphans();
    expect(await blobExists(stray)).toBe(true);

    await sweepOrphans({ all: true });
    expect(await frameFiles(e.id)).toEqual([current]);
    expect(await blobFolderGone(goneEvent)).toBe(true);
    const r = await preview(e.id, { layout: 'single' });
    expect(r.status).toBe(200);
  });

  it('a preview while the admin replaces the frame draws the new one; a frame file gone is 507, not 500', async () => {
    const e = await newEvent();
    expect((await putFrame(e.id, await borderFrame())).status).toBe(200);
    const before = await loadEvent(e.id);
    // Replaced between the preview's read of the event and its render: the old file is gone.
    expect((await putFrame(e.id, await borderFrame())).status).toBe(200);
    const p = await pixels((await renderPreview(before, 'grid', { baseUrl: 'http://booth.test' })).full);
    expectColour(at(p, 40, 600), PURPLE);

    // The frame's file lost from under its event (not a replacement): a clear storage error.
    // (A strip: a canvas whose scaled frame is not cached yet, so the file is read.)
    for (const f of await frameFiles(e.id)) await removeStoredBlob(frameKey(e.id, f));
    const r = await preview(e.id, { layout: 'strip' });
    expect([r.status, r.json?.error?.code]).toEqual([507, 'storage_unavailable']);
  });
});
