import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type APIRequestContext, expect, type Page, test } from '@playwright/test';
import sharp from 'sharp';
import { E2E_ADMIN_TOKEN, E2E_ORIGIN } from './env';
import { adminAuth, boothAuth, decodeQr, expectImagesLoaded, uploadViaApi } from './helpers';

/**
 * The host's gallery, handed over from /admin: the admin opens the event and sees the host link
 * (text and QR); the host (another browser, no admin cookie) opens the link read from the QR,
 * sees a new picture arrive live, shares one (no Web Share here: the link is copied), downloads
 * all as a ZIP (every picture byte-identical); then the admin makes a new link and the host's old
 * one is the 404 page.
 */

test.use({ locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en-US,en;q=0.9' } });

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const SAMPLES = path.join(process.cwd(), 'assets', 'samples');

/** A session of the event made into a picture: a bundled sample photo uploaded, composed by the booth. */
async function compose(request: APIRequestContext, eventId: string, sample: string) {
  const created = await request.post(`${E2E_ORIGIN}/api/session/create`, {
    headers: boothAuth,
    data: { type: 'upload', event_id: eventId },
  });
  expect(created.status()).toBe(201);
  const session = (await created.json()).session;
  await uploadViaApi(request, session.id, fs.readFileSync(path.join(SAMPLES, sample)));
  const composed = await request.post(`${E2E_ORIGIN}/api/session/${session.id}/compose`, {
    headers: boothAuth,
    data: { layout: 'single' },
  });
  expect(composed.status()).toBe(201);
}

/** docs/gallery.png for the README, when SCREENSHOTS=1 (a small palette PNG). */
async function docsScreenshot(page: Page) {
  if (process.env.SCREENSHOTS !== '1') return;
  const png = await page.screenshot({ animations: 'disabled' });
  const small = await sharp(png).png({ palette: true, quality: 70, compressionLevel: 9 }).toBuffer();
  fs.writeFileSync(path.join(process.cwd(), 'docs', 'gallery.png'), small);
}

test('the admin hands the host link over by QR; the host sees pictures live, shares, downloads all; a new link kills the old', async ({
  browser,
  request,
}, testInfo) => {
  const name = 'Lena & Oleg';
  const made = await request.post(`${E2E_ORIGIN}/api/events`, {
    headers: adminAuth,
    data: { name, retention_days: 7 },
  });
  expect(made.status()).toBe(201);
  const eventId = (await made.json()).event.id as string;
  for (let i = 1; i <= 5; i++) await compose(request, eventId, `sample-${i}.jpg`);

  // 1. The admin: logs in, opens the event, sees its host link as text and as a QR.
  const admin = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const adminPage = await admin.newPage();
  await adminPage.goto('/admin');
  await adminPage.getByLabel('Admin token').fill(E2E_ADMIN_TOKEN);
  await adminPage.getByRole('button', { name: 'Log in' }).click();
  await adminPage
    .getByRole('navigation', { name: 'Events, default first' })
    .getByRole('button', { name })
    .click();
  await expect(adminPage.getByRole('heading', { name: `Event: ${name}` })).toBeVisible();
  const panel = adminPage.getByRole('region', { name: 'Host link' });
  const urlBox = panel.getByRole('textbox', { name: 'Host link' });
  await expect(urlBox).toHaveValue(/\/g\/[A-Za-z0-9_-]{32}$/);
  const shownUrl = await urlBox.inputValue();
  await expect(panel.getByRole('link', { name: 'Open' })).toHaveAttribute('href', shownUrl);
  const scanned = await decodeQr(panel.getByRole('img', { name: 'QR code of the host link' }));
  expect(scanned).toBe(shownUrl);
  const hostPath = new URL(scanned).pathname;

  // 2. The host: a fresh browser (no admin cookie) opens the scanned link's path.
  const host = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  // This Chromium has no Web Share on Linux; make sure of it, so Share must copy the link.
  await host.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'share', { value: undefined, configurable: true });
    Object.defineProperty(Navigator.prototype, 'canShare', { value: undefined, configurable: true });
  });
  const hostPage = await host.newPage();
  const opened = await hostPage.goto(hostPath);
  expect(opened?.status()).toBe(200);
  expect((await host.cookies()).length).toBe(0);
  await expect(hostPage.getByRole('heading', { name })).toBeVisible();
  const thumbs = hostPage.getByRole('img', { name: 'A picture from the event' });
  await expectImagesLoaded(thumbs, 5);

  // A session is run meanwhile: the new picture appears in the host's grid without a reload.
  await hostPage.evaluate(() => {
    (window as { sameDocument?: boolean }).sameDocument = true;
  });
  await compose(request, eventId, 'sample-6.jpg');
  await expect(thumbs).toHaveCount(6, { timeout: 10_000 });
  await expectImagesLoaded(thumbs, 6);
  await expect(
    hostPage.getByRole('link', { name: /^Download all \(6 pictures, [\d.]+ MB\)$/ }),
  ).toBeVisible();
  await docsScreenshot(hostPage);

  // Share in the full-size view: without Web Share it copies the picture's take-home link.
  await thumbs.first().click();
  const dialog = hostPage.getByRole('dialog');
  await expect(dialog.getByRole('link', { name: 'Save' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Remove' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Link copied');
  const copied = await hostPage.evaluate(() => navigator.clipboard.readText());
  const token = hostPath.split('/').pop() as string;
  const listed = await (await request.get(`${E2E_ORIGIN}/api/gallery/${token}?limit=200`)).json();
  expect(listed.pictures).toHaveLength(6);
  expect(copied).toBe(listed.pictures[0].url);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Download all: a real ZIP holding every picture byte for byte.
  const [download] = await Promise.all([
    hostPage.waitForEvent('download'),
    hostPage.getByRole('link', { name: /^Download all/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.zip$/);
  const zipPath = testInfo.outputPath('gallery.zip');
  await download.saveAs(zipPath);
  execFileSync('unzip', ['-tq', zipPath]);
  const out = testInfo.outputPath('unzipped');
  execFileSync('unzip', ['-q', '-o', zipPath, '-d', out]);
  const entries = fs.readdirSync(out).map((f) => sha(fs.readFileSync(path.join(out, f))));
  const served = await Promise.all(
    listed.pictures.map(async (p: { image_url: string }) =>
      sha(await (await request.get(`${E2E_ORIGIN}${p.image_url}`)).body()),
    ),
  );
  expect(entries.sort()).toEqual([...served].sort());
  expect(new Set(entries).size).toBe(6);

  // 3. The admin makes a new link (after a confirm): the host's old one is the 404 page at once.
  adminPage.once('dialog', (d) => {
    expect(d.message()).toContain('stops working at once');
    void d.accept();
  });
  await panel.getByRole('button', { name: 'New link' }).click();
  await expect(panel.getByRole('status')).toHaveText('A new link is ready. The old one no longer works.');
  await expect(urlBox).not.toHaveValue(shownUrl);
  const fresh = await decodeQr(panel.getByRole('img', { name: 'QR code of the host link' }));
  expect(fresh).toBe(await urlBox.inputValue());
  const gone = await hostPage.goto(hostPath);
  expect(gone?.status()).toBe(404);
  await expect(hostPage.getByRole('heading', { name: 'No gallery here' })).toBeVisible();
  const again = await hostPage.goto(new URL(fresh).pathname);
  expect(again?.status()).toBe(200);
  await expectImagesLoaded(thumbs, 6);

  await Promise.all([admin.close(), host.close()]);
});

test('a picture made between the page render and the stream opening is not missed', async ({
  page,
  request,
}) => {
  const made = await request.post(`${E2E_ORIGIN}/api/events`, {
    headers: adminAuth,
    data: { name: 'Stream gap', retention_days: 7 },
  });
  const eventId = (await made.json()).event.id as string;
  await compose(request, eventId, 'sample-1.jpg');
  const { token } = await (
    await request.get(`${E2E_ORIGIN}/api/events/${eventId}/host-link`, { headers: adminAuth })
  ).json();

  // The stream is held back until a second picture exists: the stream then starts after it, so
  // only reading the first page again when the stream opens can bring it.
  let opened = false;
  await page.route('**/api/gallery/*/events', async (route) => {
    await compose(request, eventId, 'sample-2.jpg');
    opened = true;
    await route.continue();
  });
  await page.goto(`/g/${token}`);
  const thumbs = page.getByRole('img', { name: 'A picture from the event' });
  await expect.poll(() => opened).toBe(true);
  await expect(thumbs).toHaveCount(2, { timeout: 10_000 });
  await expect(page.getByRole('link', { name: /^Download all \(2 pictures,/ })).toBeVisible();
  // And the stream works after it: a third arrives live, each picture once.
  await compose(request, eventId, 'sample-3.jpg');
  await expect(thumbs).toHaveCount(3, { timeout: 10_000 });
  await expectImagesLoaded(thumbs, 3);
  const srcs = await thumbs.evaluateAll((els) => els.map((el) => (el as HTMLImageElement).src));
  expect(new Set(srcs).size).toBe(3);
});
