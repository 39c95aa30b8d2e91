import fs from 'node:fs';
import path from 'node:path';
import {
  type APIRequestContext,
  type Browser,
  type BrowserContextOptions,
  expect,
  type Locator,
  type Page,
  type TestInfo,
} from '@playwright/test';
import jsQR from 'jsqr';
import sharp from 'sharp';
import { E2E_ADMIN_TOKEN, E2E_BOOTH_TOKEN, E2E_ORIGIN } from './env';
import { HOSTED_PROJECT } from './fixtures';
import { makePhoto, PHONE_EXIF_JPEG } from './photos';

export { makePhoto, PHONE_EXIF_JPEG };

export const GUEST_LINK =
  /^https?:\/\/[^/\s]+\/s\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Reads the QR code drawn on the page: a screenshot of the element, decoded with jsQR. A screen
 * that has just appeared may still be fading or scaling in (CI once caught a QR mid-transition),
 * so it tries again for up to 5 s until one screenshot decodes.
 */
export async function decodeQr(locator: Locator): Promise<string> {
  await expect(locator).toBeVisible();
  const read: { text: string | null } = { text: null };
  await expect
    .poll(
      async () => {
        read.text = await readQrPng(await locator.screenshot());
        return read.text !== null;
      },
      { message: 'no QR code could be read from the element', timeout: 5_000, intervals: [100, 250, 500] },
    )
    .toBe(true);
  return read.text as string;
}

async function readQrPng(png: Buffer): Promise<string | null> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const code = jsQR(
    new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    info.width,
    info.height,
  );
  return code?.data ?? null;
}

export async function loginBooth(page: Page): Promise<void> {
  await page.goto('/booth');
  await page.getByPlaceholder('Booth token').fill(E2E_BOOTH_TOKEN);
  await page.getByRole('button', { name: 'Unlock the booth' }).click();
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
}

export const boothAuth = { authorization: `Bearer ${E2E_BOOTH_TOKEN}` };

/**
 * A booth browser that presents the booth token as a Bearer header on every request, for the
 * tests that are not about the token prompt (login is rate-limited per client address).
 */
export async function openBooth(browser: Browser, options: BrowserContextOptions = {}) {
  const context = await browser.newContext({
    viewport: { width: 1920, height: 1080 },
    ...options,
    extraHTTPHeaders: { ...boothAuth, ...options.extraHTTPHeaders },
  });
  const page = await context.newPage();
  return { context, page };
}
export const adminAuth = { authorization: `Bearer ${E2E_ADMIN_TOKEN}` };

export interface ApiSession {
  id: string;
  type: 'upload' | 'download';
  status: string;
  url: string;
  photo_count: number;
}

export async function createSession(
  request: APIRequestContext,
  type: 'upload' | 'download',
  data: Record<string, unknown> = {},
): Promise<ApiSession> {
  const res = await request.post(`${E2E_ORIGIN}/api/session/create`, {
    headers: boothAuth,
    data: { type, data },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).session;
}

export async function uploadViaApi(
  request: APIRequestContext,
  id: string,
  image: Buffer,
  name = 'photo.jpg',
) {
  const res = await request.post(`${E2E_ORIGIN}/api/session/${id}/photos`, {
    headers: boothAuth,
    multipart: { photo: { name, mimeType: 'image/jpeg', buffer: image } },
  });
  expect(res.status()).toBe(201);
  return res.json();
}

export async function expireViaApi(request: APIRequestContext, id: string) {
  const res = await request.put(`${E2E_ORIGIN}/api/session/${id}`, {
    headers: boothAuth,
    data: { status: 'expired' },
  });
  expect(res.status()).toBe(200);
}

/** Writes a photo into the test's output folder and returns its path (for setInputFiles). */
export async function photoFile(
  testInfo: TestInfo,
  name: string,
  width: number,
  height: number,
  hue: number,
) {
  const file = testInfo.outputPath(name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await makePhoto(width, height, hue, name.endsWith('.png') ? 'png' : 'jpeg'));
  return file;
}

/** Waits until every image in the locator has loaded (not just is in the DOM). */
export async function expectImagesLoaded(images: Locator, count: number) {
  await expect(images).toHaveCount(count);
  await expect
    .poll(async () =>
      images.evaluateAll((els) =>
        els.every((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0),
      ),
    )
    .toBe(true);
}

const DOCS = path.join(process.cwd(), 'docs');

/**
 * A screenshot of what a user sees: attached to the test report, and written to docs/ (small
 * PNG, for the README) when it is missing there or UPDATE_SCREENSHOTS=1.
 */
export async function screenshot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const png = await page.screenshot({ animations: 'disabled' });
  await testInfo.attach(name, { body: png, contentType: 'image/png' });
  const target = path.join(DOCS, `${name}.png`);
  // The README's screenshots come from the embedded run (the hosted journey shows the same screens).
  if (testInfo.project.name === HOSTED_PROJECT) return;
  if (process.env.UPDATE_SCREENSHOTS === '1' || !fs.existsSync(target)) {
    const width = Math.min(960, page.viewportSize()?.width ?? 960);
    const small = await sharp(png)
      .resize({ width, withoutEnlargement: true })
      .png({ palette: true, quality: 80, compressionLevel: 9 })
      .toBuffer();
    fs.mkdirSync(DOCS, { recursive: true });
    fs.writeFileSync(target, small);
  }
}
