import { devices, expect, test } from '@playwright/test';
import { E2E_ORIGIN } from './env';
import { adminAuth, boothAuth, decodeQr, expectImagesLoaded, openBooth, photoFile } from './helpers';

test('the phone sends two photos, takes one back, and the booth shows one', async ({ browser }, testInfo) => {
  const { context: booth, page: boothPage } = await openBooth(browser);
  const phone = await browser.newContext({ ...devices['Pixel 7'] });
  const phonePage = await phone.newPage();

  await boothPage.goto('/booth');
  await boothPage.getByRole('button', { name: /Send photos from your phone/ }).click();
  const link = await decodeQr(boothPage.getByRole('img', { name: 'QR code of the link for sending photos' }));
  await phonePage.goto(new URL(link).pathname);
  await expect(phonePage.getByRole('heading', { name: 'Send your photos to the booth' })).toBeVisible();

  await phonePage
    .getByLabel('Add photos')
    .setInputFiles([
      await photoFile(testInfo, 'one.jpg', 1600, 1200, 10),
      await photoFile(testInfo, 'two.jpg', 1600, 1200, 200),
    ]);
  await expect(phonePage.getByRole('status').filter({ hasText: '2 of 3 photos' })).toBeVisible();
  await expect(boothPage.getByText('2 of 3 — up to 5')).toBeVisible();
  const boothThumbs = boothPage.getByRole('list', { name: 'Photos received' }).getByRole('img');
  await expectImagesLoaded(boothThumbs, 2);

  // Remove asks once more; "Keep" keeps it.
  await phonePage.getByRole('button', { name: 'Remove photo 1' }).click();
  await expect(phonePage.getByText('Remove this photo?')).toBeVisible();
  await phonePage.getByRole('button', { name: 'Keep' }).click();
  await expect(phonePage.getByRole('list', { name: 'Photos at the booth' }).getByRole('img')).toHaveCount(2);
  await phonePage.getByRole('button', { name: 'Remove photo 1' }).click();
  await phonePage.getByRole('button', { name: 'Remove', exact: true }).click();

  await expect(phonePage.getByRole('status').filter({ hasText: '1 of 3 photos' })).toBeVisible();
  await expect(phonePage.getByRole('list', { name: 'Photos at the booth' }).getByRole('img')).toHaveCount(1);
  // The booth follows live: one thumbnail, "1 of 3".
  await expect(boothPage.getByText('1 of 3 — up to 5')).toBeVisible();
  await expectImagesLoaded(boothThumbs, 1);

  await booth.close();
  await phone.close();
});

test("with the event's consent text, the phone asks before the first photo and sends consent", async ({
  browser,
  request,
}, testInfo) => {
  const consent = 'Your photos may be shown on the big screen tonight.';
  const ev = await request.post(`${E2E_ORIGIN}/api/events`, {
    headers: adminAuth,
    data: { name: 'Consent party', consent_text: consent },
  });
  expect(ev.status()).toBe(201);
  const eventId = (await ev.json()).event.id;
  const created = await request.post(`${E2E_ORIGIN}/api/session/create`, {
    headers: boothAuth,
    data: { type: 'upload', event_id: eventId },
  });
  expect(created.status()).toBe(201);
  const session = (await created.json()).session;

  const phone = await browser.newContext({ ...devices['Pixel 7'] });
  const phonePage = await phone.newPage();
  await phonePage.goto(new URL(session.url).pathname);
  await expect(phonePage.getByText(consent)).toBeVisible();
  await expect(phonePage.getByLabel('Add photos')).toHaveCount(0);
  // Ticking it puts the Add photos buttons in its place.
  await phonePage.getByLabel('I agree').click();
  await phonePage.getByLabel('Add photos').setInputFiles(await photoFile(testInfo, 'c.jpg', 1200, 900, 90));
  await expect(phonePage.getByRole('status').filter({ hasText: /^1 of/ })).toBeVisible();
  await expect(phonePage.getByRole('list', { name: 'Photos at the booth' }).getByRole('img')).toHaveCount(1);
  await phone.close();
});
