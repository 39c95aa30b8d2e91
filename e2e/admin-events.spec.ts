import fs from 'node:fs';
import { type APIRequestContext, expect, type Page, test } from '@playwright/test';
import sharp from 'sharp';
import { E2E_ADMIN_TOKEN, E2E_ORIGIN } from './env';
import { adminAuth, decodeQr, screenshot } from './helpers';

test.use({ viewport: { width: 1440, height: 1000 } });

async function logIn(page: Page) {
  await page.goto('/admin');
  await page.getByLabel('Admin token').fill(E2E_ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Photobooth admin' })).toBeVisible();
}

interface ApiEvent {
  id: string;
  name: string;
  caption: string | null;
  theme: { background: string; text: string; accent: string };
  ready_at: number;
  has_frame: boolean;
}
interface ApiBooth {
  id: string;
  name: string;
  event_id: string;
}

async function eventNamed(request: APIRequestContext, name: string): Promise<ApiEvent> {
  const res = await request.get(`${E2E_ORIGIN}/api/events`, { headers: adminAuth });
  expect(res.status()).toBe(200);
  const found = ((await res.json()).events as ApiEvent[]).find((e) => e.name === name);
  if (!found) throw new Error(`no event named ${name}`);
  return found;
}

async function getEvent(request: APIRequestContext, id: string): Promise<ApiEvent> {
  const res = await request.get(`${E2E_ORIGIN}/api/events/${id}`, { headers: adminAuth });
  expect(res.status()).toBe(200);
  return (await res.json()).event;
}

async function booths(request: APIRequestContext): Promise<ApiBooth[]> {
  const res = await request.get(`${E2E_ORIGIN}/api/booths`, { headers: adminAuth });
  expect(res.status()).toBe(200);
  return (await res.json()).booths;
}

const pairingLink = (code: string) => new RegExp(`^https?://[^/\\s]+/booth\\?pair=${code}$`);

/** A print-sized frame: an opaque magenta border 40 px wide around a transparent centre. */
async function makeFrame(): Promise<Buffer> {
  const [w, h, b] = [1800, 1200, 40];
  const raw = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const border = x < b || y < b || x >= w - b || y >= h - b;
      raw[i] = 230;
      raw[i + 1] = 0;
      raw[i + 2] = 200;
      raw[i + 3] = border ? 255 : 0;
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 4 } })
    .png()
    .toBuffer();
}

/** The colour of one pixel of a loaded <img> (drawn onto a canvas in the page). */
async function pixelOf(page: Page, name: RegExp, x: number, y: number): Promise<number[]> {
  return page.getByRole('img', { name }).evaluate(
    (img, [px, py]) => {
      const el = img as HTMLImageElement;
      const canvas = document.createElement('canvas');
      canvas.width = el.naturalWidth;
      canvas.height = el.naturalHeight;
      const ctx = canvas.getContext('2d');
      if (!ctx) return [];
      ctx.drawImage(el, 0, 0);
      return Array.from(ctx.getImageData(px as number, py as number, 1, 1).data.slice(0, 3));
    },
    [x, y],
  );
}

test('admin events: create, edit + preview, frame, booths with pairing code and QR', async ({
  page,
  request,
}, testInfo) => {
  page.on('dialog', (d) => void d.accept());
  const stamp = Date.now().toString(36);
  const name = `Lena & Max ${stamp}`;
  // A second event to move a booth to (made over the API, before the page reads the list).
  const otherName = `Corporate ${stamp}`;
  const other = await request.post(`${E2E_ORIGIN}/api/events`, {
    headers: adminAuth,
    data: { name: otherName },
  });
  expect(other.status()).toBe(201);
  const otherId: string = (await other.json()).event.id;

  await logIn(page);
  const events = page.getByRole('navigation', { name: 'Events, default first' });
  // The default event comes first.
  await expect(events.getByRole('button').first()).toContainText('default');

  // 1. A new event, selected for editing.
  await page.getByLabel('New event name').fill(name);
  await page.getByRole('button', { name: 'New event' }).click();
  await expect(page.getByRole('heading', { name: `Event: ${name}` })).toBeVisible();
  await expect(events.getByRole('button', { name })).toHaveAttribute('aria-current', 'true');
  const created = await eventNamed(request, name);
  const form = page.getByRole('form', { name: `Settings of ${name}` });

  // The preview renders from the start.
  const preview = page.getByRole('img', { name: /^Preview of the picture/ });
  await expect.poll(() => preview.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1800);

  // The layout switch: a strip is portrait.
  await page.getByRole('button', { name: 'Strip', exact: true }).click();
  await expect.poll(() => preview.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1200);
  await page.getByRole('button', { name: 'Grid', exact: true }).click();
  await expect.poll(() => preview.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1800);

  // Typing the caption asks for one preview with it once the typing pauses (debounced), not one
  // a keystroke.
  const previewCaptions: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith(`/preview`) && r.method() === 'POST') previewCaptions.push(r.postDataJSON().caption);
  });
  const asked = page.waitForRequest(
    (r) => r.url().endsWith('/preview') && r.postDataJSON().caption === 'Lena',
  );
  await form.getByLabel('Caption on the picture').pressSequentially('Lena', { delay: 40 });
  await asked;
  expect(previewCaptions).toEqual(['Lena']);

  // Caption and a theme colour, saved: the API holds them.
  await form.getByLabel('Caption on the picture').fill('Lena & Max · 2027');
  await form.getByLabel('Accent').fill('#12ab34');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expect.poll(async () => (await getEvent(request, created.id)).caption).toBe('Lena & Max · 2027');
  expect((await getEvent(request, created.id)).theme.accent).toBe('#12ab34');

  // A bad value: the server's message beside the field, nothing changed.
  await form.getByLabel(/Photos before/).fill('9');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toContainText('"ready_at" must be at most max_photos');
  await expect(form.getByLabel(/Photos before/)).toHaveAttribute('aria-invalid', 'true');
  expect((await getEvent(request, created.id)).ready_at).toBe(3);
  await form.getByLabel(/Photos before/).fill('3');
  await expect(form.getByRole('alert')).toHaveCount(0);

  // 2. A transparent frame: "frame set", the preview carries its border.
  const framePath = testInfo.outputPath('frame.png');
  fs.mkdirSync(testInfo.outputDir, { recursive: true });
  fs.writeFileSync(framePath, await makeFrame());
  await page.getByLabel('Upload a frame (PNG or WebP)').setInputFiles(framePath);
  await expect(page.getByRole('status').filter({ hasText: 'Frame set' })).toBeVisible();
  expect((await getEvent(request, created.id)).has_frame).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'Rendering the preview' })).toHaveCount(0);
  await expect.poll(() => preview.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1800);
  await expect
    .poll(async () => {
      const [r = 0, g = 255, b = 0] = await pixelOf(page, /^Preview of the picture/, 20, 20);
      return r > 180 && g < 60 && b > 150;
    })
    .toBe(true);
  await page
    .getByRole('heading', { name: `Event: ${name}` })
    .evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await screenshot(page, 'admin-event-editor', testInfo);

  // A file that is not PNG/WebP: the server's message is shown.
  const jpegPath = testInfo.outputPath('frame.jpg');
  fs.writeFileSync(
    jpegPath,
    await sharp({ create: { width: 60, height: 40, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer(),
  );
  await page.getByLabel('Replace the frame (PNG or WebP)').setInputFiles(jpegPath);
  await expect(page.getByRole('region', { name: 'Frame', exact: true }).getByRole('alert')).toBeVisible();
  expect((await getEvent(request, created.id)).has_frame).toBe(true);

  // 3. A booth: a 6-digit code and the QR of its pairing link.
  await page.getByLabel('New booth name').fill('Entrance');
  await page.getByRole('button', { name: 'Add booth' }).click();
  const pairing = page.getByRole('region', { name: 'Pairing of booth Entrance' });
  const code = (await pairing.getByText(/^\d{6}$/).textContent()) ?? '';
  expect(code).toMatch(/^\d{6}$/);
  const qrUrl = await decodeQr(pairing.getByRole('img', { name: 'QR code of the pairing link' }));
  // The server's own base (its address on the LAN, so a kiosk can open it), then the pairing path.
  expect(qrUrl).toMatch(pairingLink(code));
  const booth = (await booths(request)).find((b) => b.name === 'Entrance' && b.event_id === created.id);
  expect(booth).toBeTruthy();
  await expect(page.getByRole('list', { name: 'Booths' })).toContainText('Offline');

  // Re-pair: a new code and its QR.
  await page.getByRole('button', { name: 'Re-pair booth Entrance' }).click();
  await expect(pairing.getByText(/^\d{6}$/)).not.toHaveText(code);
  const code2 = (await pairing.getByText(/^\d{6}$/).textContent()) ?? '';
  expect(await decodeQr(pairing.getByRole('img', { name: 'QR code of the pairing link' }))).toMatch(
    pairingLink(code2),
  );

  // Rename.
  await page.getByLabel('Name of booth Entrance').fill('Gate');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByRole('heading', { name: 'Gate', exact: true })).toBeVisible();
  await expect.poll(async () => (await booths(request)).find((b) => b.id === booth?.id)?.name).toBe('Gate');

  // Move to the other event: it leaves this event's list.
  await page.getByLabel('Move booth Gate to event').selectOption({ label: otherName });
  await expect
    .poll(async () => (await booths(request)).find((b) => b.id === booth?.id)?.event_id)
    .toBe(otherId);
  await expect(page.getByText('No booths in this event yet.')).toBeVisible();

  // Revoke it from the other event.
  await events.getByRole('button', { name: otherName }).click();
  await expect(page.getByRole('heading', { name: `Booths of ${otherName}` })).toBeVisible();
  await page.getByRole('button', { name: 'Revoke booth Gate' }).click();
  await expect(page.getByText('No booths in this event yet.')).toBeVisible();
  expect((await booths(request)).some((b) => b.id === booth?.id)).toBe(false);

  // Delete the other event (confirmed); the default event has no delete.
  await page.getByRole('button', { name: 'Delete event' }).click();
  await expect(events.getByRole('button', { name: otherName })).toHaveCount(0);
  expect((await request.get(`${E2E_ORIGIN}/api/events/${otherId}`, { headers: adminAuth })).status()).toBe(
    404,
  );
  await events.getByRole('button').first().click();
  await expect(page.getByRole('heading', { name: /^Event: / })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete event' })).toHaveCount(0);
});
