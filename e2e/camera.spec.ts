import { devices, expect, test } from '@playwright/test';
import { E2E_ORIGIN } from './env';
import {
  boothAuth,
  createSession,
  decodeQr,
  expectImagesLoaded,
  GUEST_LINK,
  loginBooth,
  makePhoto,
  screenshot,
} from './helpers';

test('camera: fake camera, 3-2-1, three shots, the download QR and the guest download page', async ({
  browser,
}, testInfo) => {
  const booth = await browser.newContext({
    viewport: { width: 1920, height: 1080 },
    permissions: ['camera'],
  });
  const phone = await browser.newContext({ ...devices['Pixel 7'] });
  const boothPage = await booth.newPage();
  await loginBooth(boothPage);

  await boothPage.getByRole('button', { name: /Take photos here/ }).click();
  await expect(boothPage.getByLabel('Camera preview')).toBeVisible();
  const start = boothPage.getByRole('button', { name: 'Start — 3 photos' });
  await expect(start).toBeEnabled();
  await start.click();
  await expect(boothPage.getByRole('timer')).toBeVisible();
  // Three shots of 3-2-1 each, then the review with a retake option.
  await expect(boothPage.getByRole('button', { name: 'Retake' })).toBeVisible({ timeout: 60_000 });
  await expectImagesLoaded(boothPage.getByRole('list', { name: 'Photos taken' }).getByRole('img'), 3);
  await expect(boothPage.getByText('3 of 3 photos taken')).toBeVisible();
  await screenshot(boothPage, 'booth-camera', testInfo);

  const make = boothPage.getByRole('button', { name: 'Make my picture' });
  await expect(make).toBeEnabled();
  await make.click();
  await expectImagesLoaded(boothPage.getByRole('img', { name: 'Your finished picture' }), 1);
  const link = await decodeQr(boothPage.getByRole('img', { name: 'QR code to take the picture home' }));
  expect(link).toMatch(GUEST_LINK);
  await expect(boothPage.getByText('Saved on the phone ✓')).toHaveCount(0);

  // The guest scans it: the download page with the picture, save and (where supported) share.
  const phonePage = await phone.newPage();
  await phonePage.goto(new URL(link).pathname);
  await expect(phonePage.getByRole('heading', { name: 'Your picture', exact: true })).toBeVisible();
  await expectImagesLoaded(phonePage.getByRole('img', { name: 'Your photobooth picture' }), 1);
  await expect(phonePage.getByRole('link', { name: 'Save' })).toHaveAttribute(
    'href',
    /\/result\?download=1$/,
  );
  await screenshot(phonePage, 'phone-download', testInfo);

  // The booth learns the guest has it.
  await expect(boothPage.getByText('Saved on the phone ✓')).toBeVisible();
  await boothPage.getByRole('button', { name: 'Done' }).click();
  await expect(boothPage.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await booth.close();
  await phone.close();
});

test('download page: "being made…" live, then the picture appears by itself', async ({
  browser,
  request,
}) => {
  const session = await createSession(request, 'download');
  const phone = await browser.newContext({ ...devices['Pixel 7'] });
  const page = await phone.newPage();
  await page.goto(`/s/${session.id}`);
  await expect(page.getByText('Your picture is being made…')).toBeVisible();

  const res = await request.post(`${E2E_ORIGIN}/api/session/${session.id}/result`, {
    headers: boothAuth,
    multipart: {
      photo: { name: 'result.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(1800, 1200, 260) },
    },
  });
  expect(res.status()).toBe(201);
  await expectImagesLoaded(page.getByRole('img', { name: 'Your photobooth picture' }), 1);
  await expect(page.getByText('Your picture is being made…')).toHaveCount(0);
  // The guest fetched it: the session is completed.
  await expect
    .poll(
      async () =>
        (await (await request.get(`${E2E_ORIGIN}/api/session/${session.id}`, { headers: boothAuth })).json())
          .session.status,
    )
    .toBe('completed');
  await phone.close();
});
