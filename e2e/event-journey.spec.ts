import fs from 'node:fs';
import { devices, expect, test } from '@playwright/test';
import jsQR from 'jsqr';
import sharp from 'sharp';
import { E2E_ADMIN_TOKEN, E2E_ORIGIN } from './env';
import { adminAuth, decodeQr, expectImagesLoaded, photoFile, screenshot } from './helpers';

/**
 * The whole product in one go, as an event company runs it: the operator creates and brands an
 * event in /admin and adds a booth; a kiosk pairs with the 6-digit code on its number pad; a guest's
 * phone sends photos in that event, chooses the layout, and the picture the booth makes carries the
 * event's frame and a QR code that opens the picture's take-home page.
 */

/** A print-sized frame: an opaque teal border 70 px wide around a transparent window. */
async function tealFrame(): Promise<Buffer> {
  const [w, h, b] = [1800, 1200, 70];
  const raw = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      raw[i] = 13;
      raw[i + 1] = 148;
      raw[i + 2] = 136;
      raw[i + 3] = x < b || y < b || x >= w - b || y >= h - b ? 255 : 0;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 4 } })
    .png()
    .toBuffer();
}

function readQr(data: Buffer, width: number, height: number) {
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width, height);
}

test('an event from /admin to a guest: branded, paired by code, layout chosen on the phone, QR opens the picture', async ({
  browser,
  request,
}, testInfo) => {
  const name = `Sasha & Dima ${Date.now().toString(36)}`;

  // 1. The operator: a new event, its caption, a frame, the preview, and a booth.
  const admin = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const adminPage = await admin.newPage();
  adminPage.on('dialog', (d) => void d.accept());
  await adminPage.goto('/admin');
  await adminPage.getByLabel('Admin token').fill(E2E_ADMIN_TOKEN);
  await adminPage.getByRole('button', { name: 'Log in' }).click();
  await adminPage.getByLabel('New event name').fill(name);
  await adminPage.getByRole('button', { name: 'New event' }).click();
  await expect(adminPage.getByRole('heading', { name: `Event: ${name}` })).toBeVisible();
  const form = adminPage.getByRole('form', { name: `Settings of ${name}` });
  await form.getByLabel('Caption on the picture').fill('Sasha & Dima · 2027');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  const framePath = testInfo.outputPath('teal-frame.png');
  fs.mkdirSync(testInfo.outputDir, { recursive: true });
  fs.writeFileSync(framePath, await tealFrame());
  await adminPage.getByLabel('Upload a frame (PNG or WebP)').setInputFiles(framePath);
  await expect(adminPage.getByRole('status').filter({ hasText: 'Frame set' })).toBeVisible();
  const preview = adminPage.getByRole('img', { name: /^Preview of the picture/ });
  await expect.poll(() => preview.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1800);

  await adminPage.getByLabel('New booth name').fill('Dance floor');
  await adminPage.getByRole('button', { name: 'Add booth' }).click();
  const pairing = adminPage.getByRole('region', { name: 'Pairing of booth Dance floor' });
  const code = (await pairing.getByText(/^\d{6}$/).textContent()) ?? '';
  expect(code).toMatch(/^\d{6}$/);

  // 2. The kiosk: a fresh browser, paired with the code tapped on the on-screen pad.
  const booth = await browser.newContext({ viewport: { width: 1920, height: 1080 }, hasTouch: true });
  const boothPage = await booth.newPage();
  await boothPage.goto('/booth');
  await boothPage.getByRole('button', { name: 'Pair with a code' }).click();
  for (const digit of code) await boothPage.getByRole('button', { name: digit, exact: true }).click();
  await expect(boothPage.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await expect(boothPage.getByText(name, { exact: true })).toBeVisible();
  // The admin sees the booth come online.
  await expect(adminPage.getByRole('list', { name: 'Booths' })).toContainText('Online', { timeout: 30_000 });

  // 3. A guest's phone: the booth's QR, three photos, the strip chosen on the phone.
  await boothPage.getByRole('button', { name: /Send photos from your phone/ }).click();
  const link = await decodeQr(boothPage.getByRole('img', { name: 'QR code of the link for sending photos' }));
  const phone = await browser.newContext({ ...devices['Pixel 7'] });
  const phonePage = await phone.newPage();
  await phonePage.goto(new URL(link).pathname);
  await expect(phonePage.getByText(name)).toBeVisible();
  await phonePage
    .getByLabel('Add photos')
    .setInputFiles([
      await photoFile(testInfo, 'a.jpg', 1600, 1200, 10),
      await photoFile(testInfo, 'b.jpg', 1200, 1600, 130),
      await photoFile(testInfo, 'c.jpg', 1600, 1200, 250),
    ]);
  await expect(boothPage.getByText('3 photos — ready! (up to 5)')).toBeVisible();
  await phonePage.getByRole('button', { name: 'Strip' }).click();
  const phonePreview = phonePage.getByRole('img', { name: 'Preview of your picture' });
  await expectImagesLoaded(phonePreview, 1);
  await expect(boothPage.getByText('Chosen on the phone: Strip')).toBeVisible();

  // 4. The booth makes the picture: the strip, with the event's frame and the take-home QR.
  await boothPage.getByRole('button', { name: 'Make my picture' }).click();
  const picture = boothPage.getByRole('img', { name: 'Your finished picture' });
  await expectImagesLoaded(picture, 1);
  await screenshot(boothPage, 'booth-branded-result', testInfo);
  const src = (await picture.getAttribute('src')) ?? '';
  const bytes = await (await boothPage.request.get(new URL(src, boothPage.url()).toString())).body();
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.height).toBeGreaterThan(info.width);
  // The frame's opaque border (stretched onto the strip) is in the picture.
  const at = (x: number, y: number) =>
    Array.from(data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 3));
  const [r = 0, g = 0, b = 0] = at(20, info.height / 2);
  expect(Math.abs(r - 13) + Math.abs(g - 148) + Math.abs(b - 136)).toBeLessThan(60);
  const printed = readQr(data, info.width, info.height);
  expect(printed?.data).toMatch(/^https?:\/\/[^/\s]+\/p\/[A-Za-z0-9_-]{32}$/);

  // The take-home QR on the booth is the same link; the phone opens its page and sees the picture.
  const takeHome = await decodeQr(boothPage.getByRole('img', { name: 'QR code to take the picture home' }));
  expect(takeHome).toBe(printed?.data);
  await phonePage.goto(new URL(takeHome).pathname);
  await expect(phonePage.getByText(name)).toBeVisible();
  const shown = phonePage.getByRole('img', { name: 'Your finished photobooth picture' });
  await expectImagesLoaded(shown, 1);
  // The page's picture is the booth's picture, byte for byte.
  const pageSrc = (await shown.getAttribute('src')) ?? '';
  const served = await (await phonePage.request.get(new URL(pageSrc, phonePage.url()).toString())).body();
  expect(served.equals(bytes)).toBe(true);
  // It belongs to the new event, and outlives the session: the event keeps pictures for 7 days.
  const token = new URL(takeHome).pathname.split('/').pop();
  const api = await request.get(`${E2E_ORIGIN}/api/pictures/${token}`);
  expect(api.status()).toBe(200);
  const kept = (await api.json()).picture;
  const event = (
    await (await request.get(`${E2E_ORIGIN}/api/events`, { headers: adminAuth })).json()
  ).events.find((e: { name: string }) => e.name === name);
  expect(kept.event_id).toBe(event.id);
  expect(new Date(kept.expires_at).getTime() - new Date(kept.created_at).getTime()).toBe(7 * 86_400_000);

  await Promise.all([admin.close(), booth.close(), phone.close()]);
});
