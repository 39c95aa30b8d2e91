import { type APIRequestContext, devices, expect, test } from '@playwright/test';
import { E2E_ORIGIN } from './env';
import { adminAuth, boothAuth, expectImagesLoaded, makePhoto, uploadViaApi } from './helpers';

/**
 * The host gallery /g/<token> on a phone: the event's pictures, a new one arriving live, the
 * full-size view with save and remove, the "Download all" size, and the 404 page.
 */

test.use({
  ...devices['Pixel 7'],
  locale: 'en-US',
  extraHTTPHeaders: { 'Accept-Language': 'en-US,en;q=0.9' },
});

async function compose(request: APIRequestContext, eventId: string, hue: number) {
  const created = await request.post(`${E2E_ORIGIN}/api/session/create`, {
    headers: boothAuth,
    data: { type: 'upload', event_id: eventId },
  });
  const session = (await created.json()).session;
  await uploadViaApi(request, session.id, await makePhoto(900, 700, hue));
  const composed = await request.post(`${E2E_ORIGIN}/api/session/${session.id}/compose`, {
    headers: boothAuth,
    data: { layout: 'single' },
  });
  expect(composed.status()).toBe(201);
}

test('the host sees the pictures, a new one arrives live, removes one; a rotated link is 404', async ({
  page,
  request,
}) => {
  const event = await request.post(`${E2E_ORIGIN}/api/events`, {
    headers: adminAuth,
    data: { name: 'Gallery Gala', retention_days: 7 },
  });
  const eventId = (await event.json()).event.id as string;
  await compose(request, eventId, 20);
  const link = await request.get(`${E2E_ORIGIN}/api/events/${eventId}/host-link`, { headers: adminAuth });
  const { token } = await link.json();

  const response = await page.goto(`/g/${token}`);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Gallery Gala' })).toBeVisible();
  const thumbs = page.getByRole('img', { name: 'A picture from the event' });
  await expectImagesLoaded(thumbs, 1);
  await expect(page.getByRole('link', { name: /^Download all \(1 picture, [\d.]+ MB\)$/ })).toHaveAttribute(
    'href',
    `/api/gallery/${token}/zip`,
  );

  await compose(request, eventId, 200);
  await expect(thumbs).toHaveCount(2, { timeout: 5000 });
  await expect(page.getByRole('link', { name: /^Download all \(2 pictures,/ })).toBeVisible();

  await thumbs.first().click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('link', { name: 'Save' })).toHaveAttribute(
    'href',
    /\/image\?download=1&from=host$/,
  );
  // The host looking at a picture is not its guest saving it (?from=host: the booth shows no false "saved").
  await expect(dialog.locator('img').last()).toHaveAttribute('src', /\/image\?from=host$/);
  page.once('dialog', (d) => void d.accept());
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(thumbs).toHaveCount(1);
  await expect(page.getByRole('link', { name: /^Download all \(1 picture,/ })).toBeVisible();

  await request.post(`${E2E_ORIGIN}/api/events/${eventId}/host-link`, { headers: adminAuth });
  const old = await page.goto(`/g/${token}`);
  expect(old?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'No gallery here' })).toBeVisible();
});
