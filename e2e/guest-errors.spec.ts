import { devices, expect, test } from '@playwright/test';
import { createSession, expireViaApi, makePhoto, photoFile, uploadViaApi } from './helpers';

test.use({ ...devices['Pixel 7'] });

test('the 6th photo is refused with a message a guest understands', async ({ page, request }, testInfo) => {
  const session = await createSession(request, 'upload');
  for (let i = 0; i < 4; i++) await uploadViaApi(request, session.id, await makePhoto(800, 600, i * 60));
  await page.goto(`/s/${session.id}`);
  await expect(page.getByRole('status').filter({ hasText: '4 photos' })).toBeVisible();
  await expect(page.getByText('You can add 1 more photo.')).toBeVisible();

  const fifth = await photoFile(testInfo, 'fifth.jpg', 1000, 750, 200);
  const sixth = await photoFile(testInfo, 'sixth.jpg', 1000, 750, 300);
  await page.getByLabel('Add photos').setInputFiles([fifth, sixth]);
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(
    'This session already has all the photos it can take.',
  );
  await expect(page.getByRole('list', { name: 'Photos at the booth' }).getByRole('img')).toHaveCount(5);
  await expect(page.getByText('All 5 photos are in.', { exact: false })).toBeVisible();
  await expect(page.getByLabel('Add photos')).toHaveCount(0);
  // Trying again cannot help: no retry button for this one.
  await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0);
});

test('a file that is not an image gets a clear message and nothing is stored', async ({ page, request }) => {
  const session = await createSession(request, 'upload');
  await page.goto(`/s/${session.id}`);
  await page.getByLabel('Add photos').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('these are not the photos you are looking for\n'),
  });
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(
    'That is not a photo. Please choose an image (JPEG, PNG, HEIC…).',
  );
  await expect(page.getByRole('status').filter({ hasText: '0 of 3' })).toBeVisible();
  // The guest can dismiss it and carry on.
  await page.getByRole('button', { name: 'Remove notes.txt from the list' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toHaveCount(0);
});

test('an expired link is a friendly page with HTTP 410; unknown links are 404', async ({ page, request }) => {
  const session = await createSession(request, 'upload');
  await expireViaApi(request, session.id);
  const expired = await page.goto(`/s/${session.id}`);
  expect(expired?.status()).toBe(410);
  await expect(page.getByRole('heading', { name: 'This link has expired' })).toBeVisible();

  const unknown = await page.goto('/s/00000000-0000-4000-8000-000000000000');
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();

  const malformed = await page.goto('/s/not-a-session');
  expect(malformed?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
});

test('a link that expires while open says so by itself', async ({ page, request }) => {
  const session = await createSession(request, 'upload');
  await page.goto(`/s/${session.id}`);
  await expect(page.getByRole('heading', { name: 'Send your photos to the booth' })).toBeVisible();
  await expireViaApi(request, session.id);
  await expect(page.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
});

test.describe('in Russian', () => {
  test.use({ locale: 'ru-RU', extraHTTPHeaders: { 'Accept-Language': 'ru-RU,ru;q=0.9,en;q=0.5' } });

  test("the guest page follows the phone's language, with a switch", async ({ page, request }) => {
    const session = await createSession(request, 'upload');
    await page.goto(`/s/${session.id}`);
    await expect(page.getByRole('heading', { name: 'Отправьте фото в фотобудку' })).toBeVisible();
    await expect(page.getByLabel('Добавить фото')).toBeAttached();
    await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
    await page.getByRole('button', { name: 'Сменить язык на English' }).click();
    await expect(page.getByRole('heading', { name: 'Send your photos to the booth' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });
});
