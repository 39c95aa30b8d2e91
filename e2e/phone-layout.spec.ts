import { devices, expect, test } from '@playwright/test';
import sharp from 'sharp';
import { decodeQr, expectImagesLoaded, openBooth, photoFile, screenshot } from './helpers';

test('the phone chooses the strip, sees its preview, and the booth makes the picture with it', async ({
  browser,
}, testInfo) => {
  const { context: booth, page: boothPage } = await openBooth(browser);
  const phone = await browser.newContext({ ...devices['Pixel 7'] });
  const phonePage = await phone.newPage();

  await boothPage.goto('/booth');
  await boothPage.getByRole('button', { name: /Send photos from your phone/ }).click();
  const link = await decodeQr(boothPage.getByRole('img', { name: 'QR code of the link for sending photos' }));
  await phonePage.goto(new URL(link).pathname);
  await expect(phonePage.getByRole('heading', { name: 'Send your photos to the booth' })).toBeVisible();
  // The guest page names the session's event.
  await expect(phonePage.getByText('Anna & Boris')).toBeVisible();

  const files = [
    await photoFile(testInfo, 'one.jpg', 1600, 1200, 10),
    await photoFile(testInfo, 'two.jpg', 1600, 1200, 120),
    await photoFile(testInfo, 'three.jpg', 1200, 1600, 240),
  ];
  // No layout to choose before the session is ready.
  await phonePage.getByLabel('Add photos').setInputFiles(files.slice(0, 2));
  await expect(phonePage.getByRole('status').filter({ hasText: '2 of 3 photos' })).toBeVisible();
  await expect(phonePage.getByRole('button', { name: 'Strip' })).toHaveCount(0);
  await phonePage.getByLabel('Add photos').setInputFiles(files[2] as string);
  await expect(boothPage.getByText('3 photos — ready! (up to 5)')).toBeVisible();

  await phonePage.getByRole('button', { name: 'Strip' }).click();
  await expect(phonePage.getByRole('button', { name: 'Strip' })).toHaveAttribute('aria-pressed', 'true');
  const preview = phonePage.getByRole('img', { name: 'Preview of your picture' });
  await expect(preview).toHaveAttribute('src', /layout=strip/);
  await expectImagesLoaded(preview, 1);
  const size = await preview.evaluate((el) => {
    const img = el as HTMLImageElement;
    return { w: img.naturalWidth, h: img.naturalHeight };
  });
  expect(size.h).toBeGreaterThan(size.w);
  expect(size.h).toBe(900);
  await expect(phonePage.getByText('The booth makes the picture when you are ready.')).toBeVisible();
  // The cards and the preview in view, as the guest sees them after tapping.
  await phonePage
    .getByRole('heading', { name: "Choose your picture's layout" })
    .evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await screenshot(phonePage, 'phone-layout', testInfo);

  // The booth follows the phone's choice live.
  await expect(boothPage.getByText('Chosen on the phone: Strip')).toBeVisible();
  await expect(boothPage.getByRole('radio', { name: 'Strip' })).toBeChecked();

  // Choosing the grid on the phone redraws the preview landscape, and the booth follows again.
  await phonePage.getByRole('button', { name: 'Grid' }).click();
  await expect(preview).toHaveAttribute('src', /layout=grid/);
  await expect
    .poll(() =>
      preview.evaluate(
        (el) => (el as HTMLImageElement).naturalWidth > (el as HTMLImageElement).naturalHeight,
      ),
    )
    .toBe(true);
  await expect(boothPage.getByRole('radio', { name: 'Grid' })).toBeChecked();
  await phonePage.getByRole('button', { name: 'Strip' }).click();
  await expect(boothPage.getByRole('radio', { name: 'Strip' })).toBeChecked();

  await boothPage.getByRole('button', { name: 'Make my picture' }).click();
  const picture = boothPage.getByRole('img', { name: 'Your finished picture' });
  await expectImagesLoaded(picture, 1);
  const src = await picture.getAttribute('src');
  const res = await boothPage.request.get(new URL(src ?? '', boothPage.url()).toString());
  const meta = await sharp(await res.body()).metadata();
  // The strip the phone chose: a portrait picture.
  expect(meta.height).toBeGreaterThan(meta.width ?? 0);
  await booth.close();
  await phone.close();
});
