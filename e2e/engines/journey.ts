import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { CAMERA_STORED, cameraPhoto, makePhoto, PHONE_EXIF_JPEG } from '../photos';
import { compose, createUploadSession, fetchBytes, listPhotos, type TestServer, waitFor } from './support';

/** A browser engine as the guest journey needs it; e2e/engines/webkit.ts and firefox.ts implement it. */
export interface GuestBrowser {
  readonly name: string;
  open(url: string): Promise<void>;
  /** Chooses files in the "Add photos" picker (the page's `<input type=file multiple>`). */
  choosePhotos(files: string[]): Promise<void>;
  /** Evaluates a JavaScript expression in the page and returns its (JSON) value. */
  evaluate<T>(expression: string): Promise<T>;
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

interface Img {
  alt: string;
  loaded: boolean;
  width: number;
  height: number;
}

interface Seen {
  heading: string;
  status: string[];
  alerts: string[];
  thumbs: Img[];
  picture: Img | null;
  pickers: number;
  marker: string | null;
  errors: string[];
}

/**
 * What the guest sees, read from the page. A string, not a function's source: the TypeScript
 * loader may rewrite functions (helpers for names) that would not exist in the page.
 */
const SEEN = `(() => {
  const img = (el) => ({ alt: el.alt, loaded: el.complete && el.naturalWidth > 0, width: el.naturalWidth, height: el.naturalHeight });
  const texts = (sel) => [...document.querySelectorAll(sel)].map((el) => (el.textContent || '').trim());
  const picture = document.querySelector('img[alt="Your photobooth picture"]');
  return {
    heading: (document.querySelector('h1')?.textContent || '').trim(),
    status: texts('[role=status]'),
    alerts: texts('[role=alert]'),
    thumbs: [...document.querySelectorAll('ul[aria-label="Photos at the booth"] img')].map(img),
    picture: picture ? img(picture) : null,
    pickers: document.querySelectorAll('input[type=file]').length,
    marker: window.__guestJourney ?? null,
    errors: window.__guestErrors ?? [],
  };
})()`;

/** From here on, uncaught errors and rejections in the page are kept (for the end of the journey). */
const WATCH_ERRORS = `(() => {
  window.__guestErrors = [];
  const keep = (what) => window.__guestErrors.push(String(what));
  window.addEventListener('error', (e) => keep(e.message || e.error));
  window.addEventListener('unhandledrejection', (e) => keep(e.reason && (e.reason.stack || e.reason)));
  return true;
})()`;

const PAINTED = `document.querySelector('img[alt="Your photobooth picture"]').decode()
  .then(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))))`;

const ARRIVED = '3 photos — the booth can make your picture now (up to 5)';

/** The fraction of red in a square of an image (JPEG bytes), in its displayed orientation. */
async function redness(jpeg: Buffer, corner: 'top-left' | 'top-right'): Promise<number> {
  const meta = await sharp(jpeg).metadata();
  const side = Math.round(Math.min(meta.width ?? 0, meta.height ?? 0) * 0.04);
  const inset = Math.round(side / 4);
  const left = corner === 'top-left' ? inset : (meta.width ?? 0) - inset - side;
  // (stats() would describe the whole input, not the extracted square: average the raw pixels.)
  const { data, info } = await sharp(jpeg)
    .extract({ left, top: inset, width: side, height: side })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let i = 0; i + 2 < data.length; i += info.channels) {
    sum += ((data[i] ?? 0) - Math.max(data[i + 1] ?? 0, data[i + 2] ?? 0)) / 255;
  }
  return sum / (info.width * info.height);
}

/** Made once per run (about 4 s of sharp), written afresh for each engine. */
let cameraJpeg: Promise<Buffer> | undefined;

const orientation = (p: { width: number; height: number }) => (p.width > p.height ? 'landscape' : 'portrait');

/**
 * The guest's journey on a phone: open the link, pick three photos in one go (a freshly made
 * 12 MP camera JPEG with EXIF orientation 6, the committed phone photo with orientation 6 and GPS,
 * a landscape photo with no EXIF), see them arrive, then the booth makes the picture and the page
 * shows it by itself, without a reload.
 */
export async function guestJourney(
  browser: GuestBrowser,
  server: TestServer,
  outDir: string,
  note: (message: string) => void = () => undefined,
): Promise<void> {
  // How long each step took, for the report (a shared 2-core CI machine can be slow).
  let mark = Date.now();
  const step = (what: string) => {
    note(`${browser.name}: ${what} in ${((Date.now() - mark) / 1000).toFixed(1)} s`);
    mark = Date.now();
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `photobooth-${browser.name}-`));
  const seen = () => browser.evaluate<Seen>(SEEN);
  let last: Seen | undefined;
  const until = (what: string, ok: (s: Seen) => boolean, timeoutMs: number) =>
    waitFor(
      () => `${what} (last seen: ${JSON.stringify(last)})`,
      async () => {
        last = await seen();
        return ok(last) ? last : undefined;
      },
      timeoutMs,
    );
  try {
    const camera = path.join(dir, 'IMG_0001.jpg');
    cameraJpeg ??= cameraPhoto();
    fs.writeFileSync(camera, await cameraJpeg);
    const landscape = path.join(dir, 'landscape.jpg');
    fs.writeFileSync(landscape, await makePhoto(1600, 1200, 200));

    step('photos made');
    const session = await createUploadSession();
    await browser.open(`${server.origin}/s/${session.id}`);
    await until(
      'the empty upload page',
      (s) => s.heading === 'Send your photos to the booth' && s.status.includes('0 of 3 photos — up to 5'),
      30_000,
    );
    await browser.evaluate(WATCH_ERRORS);
    step('page open');

    await browser.choosePhotos([camera, PHONE_EXIF_JPEG, landscape]);
    // The phone shrinks each photo (canvas, orientation applied) and sends them one at a time.
    const arrived = await until(
      'three photos at the booth, each thumbnail loaded',
      (s) => s.status.includes(ARRIVED) && s.thumbs.length === 3 && s.thumbs.every((t) => t.loaded),
      120_000,
    );
    step('three photos sent and shown');
    assert.deepEqual(arrived.alerts, [], 'no error shown to the guest');
    assert.deepEqual(
      arrived.thumbs.map((t) => t.alt),
      ['Photo 1', 'Photo 2', 'Photo 3'],
    );

    // The server holds three photos, upright, the long side capped.
    const photos = await listPhotos(session.id);
    assert.equal(photos.length, 3);
    for (const p of photos)
      assert.ok(Math.max(p.width, p.height) <= 3000, `long side capped: ${p.width}×${p.height}`);
    // The guest's thumbnails are those photos, in the same order and orientation.
    assert.deepEqual(arrived.thumbs.map(orientation), photos.map(orientation));
    assert.deepEqual(photos.map(orientation).sort(), ['landscape', 'portrait', 'portrait']);

    // Both orientation-6 photos (the 12 MP camera JPEG, 4000×3000 stored, and the committed
    // 4032×3024 one) come out as upright 3:4 portraits: the red block of their stored top-left
    // corner is now top-right (top-left would mean turned the wrong way). The landscape one stays.
    for (const p of photos) {
      const bytes = await fetchBytes(p.url);
      const [topLeft, topRight] = [await redness(bytes, 'top-left'), await redness(bytes, 'top-right')];
      const size = `${p.width}×${p.height}`;
      if (orientation(p) === 'landscape') {
        assert.ok(topLeft < 0.2 && topRight < 0.2, `the landscape photo has no red corner (${size})`);
        continue;
      }
      assert.ok(topRight > 0.6, `upright: red top-right (${topRight.toFixed(2)}) in ${size}`);
      assert.ok(topLeft < 0.2, `upright: not red top-left (${topLeft.toFixed(2)}) in ${size}`);
      assert.ok(Math.abs(p.width / p.height - 3 / 4) < 0.01, `3:4 portrait: ${size}`);
      assert.ok(
        p.height >= 2000,
        `still a big photo: ${size} (stored ${CAMERA_STORED.width}×${CAMERA_STORED.height})`,
      );
    }

    // The booth makes the picture; the guest's page shows it by itself (same document, no reload).
    await browser.evaluate('(window.__guestJourney = "same page", true)');
    await compose(session.id, 'grid');
    const done = await until(
      'the finished picture on the guest page',
      (s) => s.picture?.loaded === true && s.heading === 'Your picture is ready',
      60_000,
    );
    step('picture shown by itself');
    assert.equal(done.marker, 'same page', 'the page was not reloaded');
    assert.deepEqual(done.errors, [], 'no uncaught error in the page');
    assert.equal(done.pickers, 0, 'no more photo pickers once the picture is made');
    assert.deepEqual([done.picture?.width, done.picture?.height], [1800, 1200], 'the 6×4" grid picture');
    // For the record (test-results/engines/): once the picture is decoded and painted.
    await browser.evaluate(PAINTED);
    await browser.screenshot(path.join(outDir, `${browser.name}-guest-result.png`));
  } catch (err) {
    await browser.screenshot(path.join(outDir, `${browser.name}-failure.png`)).catch(() => undefined);
    throw err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
