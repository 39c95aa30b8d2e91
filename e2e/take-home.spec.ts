import { type APIRequestContext, devices, expect, test } from '@playwright/test';
import { E2E_ORIGIN } from './env';
import {
  adminAuth,
  boothAuth,
  decodeQr,
  expectImagesLoaded,
  GUEST_LINK,
  makePhoto,
  openBooth,
  uploadViaApi,
} from './helpers';

/**
 * The take-home page /p/<token> on a phone: the picture of an event that keeps pictures, save and
 * share, in the phone's language; delete my picture; unknown links.
 */

test.use({ ...devices['Pixel 7'] });

/** A picture made the way the booth makes one: an event keeping pictures, photos, compose. */
async function makePicture(request: APIRequestContext, name: string) {
  const event = await request.post(`${E2E_ORIGIN}/api/events`, {
    headers: adminAuth,
    data: { name, retention_days: 7 },
  });
  expect(event.status()).toBe(201);
  const eventId = (await event.json()).event.id;
  const created = await request.post(`${E2E_ORIGIN}/api/session/create`, {
    headers: boothAuth,
    data: { type: 'upload', event_id: eventId },
  });
  expect(created.status()).toBe(201);
  const session = (await created.json()).session;
  for (let i = 0; i < 3; i++) await uploadViaApi(request, session.id, await makePhoto(900, 700, i * 80));
  const composed = await request.post(`${E2E_ORIGIN}/api/session/${session.id}/compose`, {
    headers: boothAuth,
    data: { layout: 'grid' },
  });
  expect(composed.status()).toBe(201);
  const pictureUrl: string = (await composed.json()).session.picture_url;
  expect(pictureUrl).toMatch(/\/p\/[A-Za-z0-9_-]{32}$/);
  return { path: new URL(pictureUrl).pathname, token: pictureUrl.split('/p/')[1] as string };
}

test.describe('in English', () => {
  test.use({ locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en-US,en;q=0.9' } });

  test('the picture with save and share, the event named; delete removes it for good', async ({
    page,
    request,
  }, testInfo) => {
    const picture = await makePicture(request, 'Summer Party');
    const response = await page.goto(picture.path);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'Your picture' })).toBeVisible();
    await expect(page.getByText('Summer Party')).toBeVisible();
    await expectImagesLoaded(page.getByRole('img', { name: 'Your finished photobooth picture' }), 1);
    const save = page.getByRole('link', { name: 'Save' });
    await expect(save).toHaveAttribute('href', `/api/pictures/${picture.token}/image?download=1`);
    const download = await request.get(`${E2E_ORIGIN}/api/pictures/${picture.token}/image?download=1`);
    expect(download.headers()['content-disposition']).toMatch(/^attachment; filename="photobooth-picture-/);
    // Headless Chromium cannot share files: the link is shared, or copied.
    await expect(page.getByRole('button', { name: /^(Share|Copy link)$/ })).toBeVisible();
    await expect(page.getByText('This link works until')).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('take-home.png'), fullPage: true });

    await page.getByRole('button', { name: 'Delete my picture' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toContainText('Your picture is deleted');
    const gone = await page.reload();
    expect(gone?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'No picture here' })).toBeVisible();
    expect((await request.get(`${E2E_ORIGIN}/api/pictures/${picture.token}`)).status()).toBe(404);
  });

  test('an unknown or malformed link is a 404 page', async ({ page }) => {
    for (const path of [`/p/${'A'.repeat(32)}`, '/p/not-a-token']) {
      const response = await page.goto(path);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole('heading', { name: 'No picture here' })).toBeVisible();
    }
  });
});

test.describe('in Russian', () => {
  test.use({ locale: 'ru-RU', extraHTTPHeaders: { 'Accept-Language': 'ru-RU,ru;q=0.9,en;q=0.5' } });

  test("the page speaks the phone's language; the switch changes it", async ({ page, request }) => {
    const picture = await makePicture(request, 'Свадьба Анны');
    await page.goto(picture.path);
    await expect(page.getByRole('heading', { name: 'Ваша фотография' })).toBeVisible();
    await expect(page.getByText('Свадьба Анны')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Сохранить' })).toBeVisible();
    await page.getByRole('button', { name: /English/ }).click();
    await expect(page.getByRole('heading', { name: 'Your picture' })).toBeVisible();
  });

  test('an unknown link is a 404 page in Russian', async ({ page }) => {
    const response = await page.goto(`/p/${'B'.repeat(32)}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Здесь нет фотографии' })).toBeVisible();
  });
});

test.describe('the booth', () => {
  test.use({ viewport: { width: 1920, height: 1080 }, isMobile: false, hasTouch: false });

  test("the take-home QR on the booth is the picture's link when the event keeps pictures", async ({
    browser,
    request,
  }) => {
    const events = await request.get(`${E2E_ORIGIN}/api/events`, { headers: adminAuth });
    const defaultEvent = (await events.json()).events[0];
    expect(defaultEvent.is_default).toBe(true);
    const setRetention = async (days: number) => {
      const r = await request.put(`${E2E_ORIGIN}/api/events/${defaultEvent.id}`, {
        headers: adminAuth,
        data: { retention_days: days },
      });
      expect(r.status()).toBe(200);
    };
    await setRetention(7);
    const { context, page } = await openBooth(browser);
    try {
      await page.goto('/booth');
      await page.getByRole('button', { name: /Send photos from your phone/ }).click();
      const link = await decodeQr(page.getByRole('img', { name: 'QR code of the link for sending photos' }));
      expect(link).toMatch(GUEST_LINK);
      const id = new URL(link).pathname.split('/')[2] as string;
      for (let i = 0; i < 3; i++) await uploadViaApi(request, id, await makePhoto(900, 700, 30 + i * 70));
      await page.getByRole('button', { name: 'Make my picture' }).click();
      await expectImagesLoaded(page.getByRole('img', { name: 'Your finished picture' }), 1);
      const takeHome = await decodeQr(page.getByRole('img', { name: 'QR code to take the picture home' }));
      expect(takeHome).toMatch(/^http:\/\/[^/]+\/p\/[A-Za-z0-9_-]{32}$/);
      const session = await request.get(`${E2E_ORIGIN}/api/session/${id}`);
      expect((await session.json()).session.picture_url).toBe(takeHome);
      const token = takeHome.split('/p/')[1];
      expect((await request.get(`${E2E_ORIGIN}/api/pictures/${token}`)).status()).toBe(200);
    } finally {
      await context.close();
      // The other journeys share this server and expect the default event to keep nothing.
      await setRetention(0);
    }
  });
});
