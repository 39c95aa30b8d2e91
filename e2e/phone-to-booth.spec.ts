import fs from 'node:fs';
import { devices, expect } from '@playwright/test';
import sharp from 'sharp';
import { at, test } from './fixtures';
import {
  decodeQr,
  expectImagesLoaded,
  GUEST_LINK,
  loginBooth,
  makePhoto,
  openBooth,
  PHONE_EXIF_JPEG,
  photoFile,
  screenshot,
  uploadViaApi,
} from './helpers';

// Also the `hosted` project's one journey: the booth on instance A, the phone on instance B.
test('phone → booth → phone: three photos arrive live, the picture comes back to the phone', async ({
  browser,
  boothURL,
  phoneURL,
}, testInfo) => {
  const booth = await browser.newContext({ viewport: { width: 1920, height: 1080 }, ...at(boothURL) });
  const phone = await browser.newContext({ ...devices['Pixel 7'], ...at(phoneURL) });
  const boothPage = await booth.newPage();
  const phonePage = await phone.newPage();

  // The booth: token once, then the start screen with the event name.
  await loginBooth(boothPage);
  await expect(boothPage.getByText('Anna & Boris')).toBeVisible();
  await screenshot(boothPage, 'booth-start', testInfo);

  await boothPage.getByRole('button', { name: /Send photos from your phone/ }).click();
  const sessionQr = boothPage.getByRole('img', { name: 'QR code of the link for sending photos' });
  const link = await decodeQr(sessionQr);
  expect(link).toMatch(GUEST_LINK);
  // The short link printed under the QR code is the same link.
  await expect(boothPage.getByTestId('short-link')).toHaveText(link.replace(/^https?:\/\//, ''));
  // Offline venue: the Wi-Fi join code is step 1.
  const wifi = await decodeQr(
    boothPage.getByRole('img', { name: 'QR code to join the Wi-Fi Wedding Guests' }),
  );
  expect(wifi).toBe('WIFI:T:WPA;S:Wedding Guests;P:confetti\\;2026;;');
  // Guests who prefer Telegram get the bot's deep link beside it; it does not expose the session id.
  const telegram = await decodeQr(
    boothPage.getByRole('img', { name: 'QR code of the Telegram link (opens the photobooth bot)' }),
  );
  expect(telegram).toMatch(/^https:\/\/t\.me\/e2e_photobooth_bot\?start=[A-Za-z0-9_-]{1,64}$/);
  expect(telegram).not.toContain(link.split('/s/')[1] ?? 'no-id');
  const counter = boothPage.getByRole('status').filter({ hasText: /of 3/ });
  await expect(counter).toHaveText('0 of 3 — up to 5');
  await expect(boothPage.getByRole('button', { name: 'Make my picture' })).toBeDisabled();
  await expect(boothPage.getByText(/^Link works for another \d+:\d\d$/)).toBeVisible();

  // The phone opens the link's path on its own 127.0.0.1 address (tests never use the LAN address).
  const path = new URL(link).pathname;
  await phonePage.goto(path);
  await expect(phonePage.getByRole('heading', { name: 'Send your photos to the booth' })).toBeVisible();

  // Two photos: the committed EXIF phone photo and a big one the phone shrinks before sending.
  const big = await photoFile(testInfo, 'big-3000x2000.jpg', 3000, 2000, 20);
  await phonePage.getByLabel('Add photos').setInputFiles([PHONE_EXIF_JPEG, big]);
  await expect(boothPage.getByText('2 of 3 — up to 5')).toBeVisible();
  await expectImagesLoaded(boothPage.getByRole('list', { name: 'Photos received' }).getByRole('img'), 2);
  await expectImagesLoaded(phonePage.getByRole('list', { name: 'Photos at the booth' }).getByRole('img'), 2);
  await expect(phonePage.getByRole('status').filter({ hasText: '2 of 3 photos — up to 5' })).toBeVisible();
  await screenshot(boothPage, 'booth-waiting', testInfo);
  await screenshot(phonePage, 'phone-upload', testInfo);

  // The third makes the session ready.
  const third = await photoFile(testInfo, 'third.png', 1200, 900, 140);
  await phonePage.getByLabel('Add photos').setInputFiles(third);
  await expect(boothPage.getByText('3 photos — ready! (up to 5)')).toBeVisible();
  await expectImagesLoaded(boothPage.getByRole('list', { name: 'Photos received' }).getByRole('img'), 3);

  await boothPage.getByText('Strip', { exact: true }).click();
  await expect(boothPage.getByRole('radio', { name: 'Strip' })).toBeChecked();
  await boothPage.getByRole('button', { name: 'Make my picture' }).click();

  // The booth shows the picture big with a QR code; the phone shows it by itself.
  const boothPicture = boothPage.getByRole('img', { name: 'Your finished picture' });
  await expectImagesLoaded(boothPicture, 1);
  expect(await decodeQr(boothPage.getByRole('img', { name: 'QR code to take the picture home' }))).toBe(link);
  await expect(boothPage.getByText('It is already on your phone')).toBeVisible();
  await screenshot(boothPage, 'booth-result', testInfo);

  const phonePicture = phonePage.getByRole('img', { name: 'Your photobooth picture' });
  await expectImagesLoaded(phonePicture, 1);
  await expect(phonePage.getByRole('heading', { name: 'Your picture is ready' })).toBeVisible();
  await expect(phonePage.getByLabel('Add photos')).toHaveCount(0);
  await screenshot(phonePage, 'phone-result', testInfo);

  // "Save" is a real file download of a JPEG, with a good name.
  const [download] = await Promise.all([
    phonePage.waitForEvent('download'),
    phonePage.getByRole('link', { name: 'Save' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^photobooth-picture-.+\.jpg$/);
  const file = await download.path();
  const bytes = fs.readFileSync(file);
  expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  const meta = await sharp(bytes).metadata();
  expect(meta.format).toBe('jpeg');
  // The strip layout is a portrait 4×6" picture.
  expect(meta.height).toBeGreaterThan(meta.width ?? 0);

  await boothPage.getByRole('button', { name: 'Done' }).click();
  await expect(boothPage.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await booth.close();
  await phone.close();
});

test('a 1280×800 tablet booth fits every screen without scrolling', async ({ browser, request }) => {
  const { context: booth, page } = await openBooth(browser, {
    viewport: { width: 1280, height: 800 },
    hasTouch: true,
  });
  await page.goto('/booth');
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  const noScroll = () =>
    page.evaluate(
      () =>
        document.documentElement.scrollHeight <= window.innerHeight &&
        document.documentElement.scrollWidth <= window.innerWidth,
    );
  expect(await noScroll()).toBe(true);
  await expect(page.getByRole('button', { name: /Send photos from your phone/ })).toBeInViewport();

  await page.getByRole('button', { name: /Send photos from your phone/ }).click();
  const link = await decodeQr(page.getByRole('img', { name: 'QR code of the link for sending photos' }));
  const id = new URL(link).pathname.split('/')[2] ?? '';
  for (let i = 0; i < 5; i++) await uploadViaApi(request, id, await makePhoto(1200, 800, i * 70));
  await expect(page.getByText('5 photos — ready! (up to 5)')).toBeVisible();
  await expectImagesLoaded(page.getByRole('list', { name: 'Photos received' }).getByRole('img'), 5);
  // The fullest screen: two QR codes, five thumbnails, the layouts and the buttons.
  for (const control of [
    page.getByRole('img', { name: 'QR code of the link for sending photos' }),
    page.getByRole('img', { name: /QR code to join the Wi-Fi/ }),
    page.getByText('Single', { exact: true }),
    page.getByRole('button', { name: 'Make my picture' }),
    page.getByRole('button', { name: 'Cancel' }),
  ]) {
    await expect(control).toBeInViewport({ ratio: 1 });
  }
  expect(await noScroll()).toBe(true);
  // Touch targets are at least 64 px high.
  const box = await page.getByRole('button', { name: 'Make my picture' }).boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(64);

  // Cancel closes the abandoned session, so a phone still holding the link is told it ended.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await expect.poll(async () => (await request.get(`/api/session/${id}`)).status()).toBe(410);
  await booth.close();
});

test('never stuck: a lost connection shows a banner and recovers; an idle booth returns to start', async ({
  browser,
  request,
}) => {
  const { context: booth, page } = await openBooth(browser);
  await page.clock.install();
  await page.goto('/booth');
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await page.getByRole('button', { name: /Send photos from your phone/ }).click();
  const link = await decodeQr(page.getByRole('img', { name: 'QR code of the link for sending photos' }));
  const id = new URL(link).pathname.split('/')[2] ?? '';

  await booth.setOffline(true);
  await expect(
    page.getByRole('alert').filter({ hasText: 'Connection lost — reconnecting…' }).first(),
  ).toBeVisible();
  await uploadViaApi(request, id, await makePhoto(1000, 700, 90));
  await booth.setOffline(false);
  // Back online: the banner goes and the photo sent meanwhile shows up.
  await expect(page.getByText('1 of 3 — up to 5')).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Connection lost' })).toHaveCount(0);

  // Nobody touches the booth for longer than BOOTH_IDLE_SECONDS: back to the start screen.
  await page.clock.fastForward('15:00');
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await expect.poll(async () => (await request.get(`/api/session/${id}`)).status()).toBe(410);
  await booth.close();
});

test('the booth keeps its own language', async ({ browser }) => {
  const { context: booth, page } = await openBooth(browser);
  await page.goto('/booth');
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await page.getByRole('button', { name: 'Switch language to Русский' }).click();
  await expect(page.getByRole('heading', { name: 'Коснитесь, чтобы начать' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Отправить фото с телефона/ })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Коснитесь, чтобы начать' })).toBeVisible();
  await page.getByRole('button', { name: 'Сменить язык на English' }).click();
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await booth.close();
});
