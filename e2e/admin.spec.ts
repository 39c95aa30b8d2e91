import { expect, type Page, test } from '@playwright/test';
import { E2E_ADMIN_TOKEN, E2E_BOOTH_TOKEN } from './env';
import { createSession, makePhoto, screenshot, uploadViaApi } from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

/** Logs in through the form: a wrong token, the booth token (refused with a hint), the admin token. */
async function logIn(page: Page, { mistakes = false } = {}) {
  await page.goto('/admin');
  const token = page.getByLabel('Admin token');
  if (mistakes) {
    await token.fill('definitely-not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText('That token is not right.');
    await token.fill(E2E_BOOTH_TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toContainText('That is the booth token');
  }
  await token.fill(E2E_ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Photobooth admin' })).toBeVisible();
}

function sessionRows(page: Page) {
  const table = page.getByRole('table', { name: 'Active sessions, newest first' });
  return {
    table,
    row: (id: string) =>
      table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: id.slice(0, 8) }) }),
  };
}

test('admin: login, live table, photos, expire + clean up, delete, log out', async ({
  page,
  request,
}, testInfo) => {
  // Every read of the list the page makes: the table must change without them (no polling).
  const listReads: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/sessions/list') listReads.push(r.url());
  });
  const upload = await createSession(request, 'upload', { table: 'A7' });
  await uploadViaApi(request, upload.id, await makePhoto(900, 600, 30));
  const download = await createSession(request, 'download');
  const doomed = await createSession(request, 'upload');

  await logIn(page, { mistakes: true });
  await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();

  const { row } = sessionRows(page);
  await expect(row(upload.id)).toContainText('Phone → booth');
  // The list leaves the extra data out; it is fetched when asked for.
  await expect(row(upload.id)).not.toContainText('{"table":"A7"}');
  await row(upload.id)
    .getByRole('button', { name: `Show the extra data of session ${upload.id.slice(0, 8)}` })
    .click();
  await expect(row(upload.id)).toContainText('{"table":"A7"}');
  await expect(row(download.id)).toContainText('Booth → phone');
  await expect(row(doomed.id)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Totals' })).toContainText('Active sessions');
  // Free disk, as a number of bytes the dashboard formats (e.g. "41.2 GB").
  await expect(page.getByRole('region', { name: 'Totals' })).toContainText(/Free disk\s*[\d.,]+\s*[KMGT]?B/);

  // Filters by type.
  await page.getByLabel('Type').selectOption('download');
  await expect(row(upload.id)).toHaveCount(0);
  await expect(row(download.id)).toBeVisible();
  await page.getByLabel('Type').selectOption('');
  await expect(row(upload.id)).toBeVisible();
  // The data fetched before is still shown.
  await expect(row(upload.id)).toContainText('{"table":"A7"}');

  // View photos.
  await page.getByRole('button', { name: `Show the photos of session ${upload.id.slice(0, 8)}` }).click();
  await expect(
    page.getByRole('list', { name: `Photos of session ${upload.id.slice(0, 8)}` }).getByRole('img'),
  ).toHaveCount(1);
  await expect(
    page.getByRole('link', { name: `Open the guest page of session ${upload.id.slice(0, 8)}` }),
  ).toHaveAttribute('href', `/s/${upload.id}`);
  await screenshot(page, 'admin', testInfo);

  // A new session shows up by itself, and a photo sent to another changes its row: the stream
  // says so, the page reads no list for it.
  const reads = listReads.length;
  const late = await createSession(request, 'download');
  await expect(row(late.id)).toBeVisible();
  await uploadViaApi(request, upload.id, await makePhoto(900, 600, 90));
  await expect(row(upload.id).getByRole('cell').nth(2)).toHaveText('2');
  // Nor does it poll.
  await page.waitForTimeout(3500);
  expect(listReads.length).toBe(reads);

  // Force-expire, then clean up: it is freed.
  await page.getByRole('button', { name: `Expire session ${doomed.id.slice(0, 8)} now` }).click();
  await expect(row(doomed.id)).toHaveCount(0);
  await page.getByRole('button', { name: 'Clean up expired now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Cleaned up:' })).toBeVisible();
  expect((await request.get(`/api/session/${doomed.id}`)).status()).toBe(404);

  // Delete, with confirmation.
  await page.getByRole('button', { name: `Delete session ${download.id.slice(0, 8)}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this session?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row(download.id)).toBeVisible();
  await page.getByRole('button', { name: `Delete session ${download.id.slice(0, 8)}` }).click();
  await dialog.getByRole('button', { name: 'Delete for good' }).click();
  await expect(row(download.id)).toHaveCount(0);
  expect((await request.get(`/api/session/${download.id}`)).status()).toBe(404);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByLabel('Admin token')).toBeVisible();
});

test('admin: the table pages in older sessions with "more"', async ({ page, request }) => {
  const batch = [];
  for (let i = 0; i < 55; i++) batch.push(await createSession(request, 'upload', { n: i }));
  const [oldest, , , , , sixth] = batch;
  if (!oldest || !sixth) throw new Error('sessions were not created');
  await logIn(page);
  const { table, row } = sessionRows(page);
  // The first page: the 50 newest, nothing else server-rendered.
  await expect(row(batch[54]?.id ?? '')).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(51);
  await expect(row(sixth.id)).toBeVisible();
  await expect(row(oldest.id)).toHaveCount(0);
  await page.getByRole('button', { name: 'Show older sessions' }).click();
  await expect(row(oldest.id)).toBeVisible();
  await expect(row(sixth.id)).toHaveCount(1);
  expect(await table.getByRole('row').count()).toBeGreaterThan(55);
});
