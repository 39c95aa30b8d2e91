import { expect, type Page, test } from '@playwright/test';
import { E2E_ADMIN_TOKEN, E2E_ORIGIN } from './env';
import { adminAuth, boothAuth, loginBooth, makePhoto, uploadViaApi } from './helpers';

/** The event's statistics in /admin: the counters rise as a session is made, composed and taken home. */

// A zone half an hour off UTC: the chart must convert the UTC hours, not just relabel them.
test.use({ viewport: { width: 1440, height: 1000 }, locale: 'en-US', timezoneId: 'Asia/Kolkata' });

async function logIn(page: Page) {
  await page.goto('/admin');
  await page.getByLabel('Admin token').fill(E2E_ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Photobooth admin' })).toBeVisible();
}

test('the admin sees the counters rise after a session, a compose and a take-home open', async ({
  page,
  request,
}, testInfo) => {
  const name = `Stats Gala ${Date.now()}`;
  const created = await request.post(`${E2E_ORIGIN}/api/events`, {
    headers: adminAuth,
    data: { name, retention_days: 7 },
  });
  expect(created.status()).toBe(201);
  const eventId: string = (await created.json()).event.id;

  await logIn(page);
  await page.getByRole('button', { name }).click();
  const stats = page.getByTestId('event-stats');
  await expect(stats.getByRole('heading', { name: 'Statistics' })).toBeVisible();
  const value = (field: string) => stats.locator(`[data-stat="${field}"] dd`);
  await expect(value('sessions')).toHaveText('0');
  await expect(stats.getByText('No activity yet.')).toBeVisible();

  // A session with two photos, composed; the take-home page opened; the picture downloaded.
  const s = await request.post(`${E2E_ORIGIN}/api/session/create`, {
    headers: boothAuth,
    data: { type: 'upload', event_id: eventId },
  });
  expect(s.status()).toBe(201);
  const session = (await s.json()).session;
  for (let i = 0; i < 2; i++) await uploadViaApi(request, session.id, await makePhoto(900, 700, i * 90));
  const composed = await request.post(`${E2E_ORIGIN}/api/session/${session.id}/compose`, {
    headers: boothAuth,
    data: { layout: 'grid' },
  });
  expect(composed.status()).toBe(201);
  const pictureUrl: string = (await composed.json()).session.picture_url;
  const guest = await page.context().browser()?.newPage();
  if (!guest) throw new Error('no browser');
  const opened = await guest.goto(`${E2E_ORIGIN}${new URL(pictureUrl).pathname}`);
  expect(opened?.status()).toBe(200);
  await guest.close();
  const token = pictureUrl.split('/p/')[1];
  const dl = await request.get(`${E2E_ORIGIN}/api/pictures/${token}/image?download=1`);
  expect(dl.status()).toBe(200);

  await stats.getByRole('button', { name: 'Refresh' }).click();
  await expect(value('sessions')).toHaveText('1');
  await expect(value('photos_uploaded')).toHaveText('2');
  await expect(value('pictures')).toHaveText('1');
  await expect(value('take_home_opens')).toHaveText('1');
  await expect(value('downloads')).toHaveText('1');
  await expect(value('prints')).toHaveText('0');
  // The chart: one hour, with a sessions bar and a pictures bar of full height.
  const chart = stats.getByRole('img', { name: 'Sessions and pictures per hour' });
  await expect(chart).toBeVisible();
  await expect(chart.locator('g[data-hour] rect')).toHaveCount(2);
  // Hours are the UTC data shown in the admin's zone, and the note says which zone.
  const hour = (await chart.locator('g[data-hour]').first().getAttribute('data-hour')) ?? '';
  expect(hour).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
  const local = new Date(hour).toLocaleTimeString('en-US', {
    timeZone: 'Asia/Kolkata',
    hour: '2-digit',
    minute: '2-digit',
  });
  expect(local).toMatch(/:30/);
  await expect(chart.locator('g[data-hour] title').first()).toContainText(local);
  // Chromium's ICU names the zone by its older IANA alias.
  await expect(stats.getByTestId('stats-time-zone')).toHaveText(
    /^Hours in your computer's time zone \(Asia\/(Kolkata|Calcutta)\); the CSV export is in UTC\.$/,
  );
  await page.screenshot({ path: testInfo.outputPath('event-stats.png'), fullPage: true });

  // The CSV export link, fetched with the admin's login cookie as the browser would.
  const link = stats.getByRole('link', { name: 'Export CSV' });
  await expect(link).toHaveAttribute('href', `/api/events/${eventId}/stats?format=csv`);
  const csv = await page.request.get(`${E2E_ORIGIN}/api/events/${eventId}/stats?format=csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe(
    'hour,sessions,photos_uploaded,pictures,take_home_opens,downloads,prints,telegram_deliveries',
  );
  expect(lines[1]).toBe('total,1,2,1,1,1,0,0');
  expect(lines).toHaveLength(3);
});

test("the booth's Print button counts a print in its event's stats", async ({ browser, request }) => {
  const list = await request.get(`${E2E_ORIGIN}/api/events`, { headers: adminAuth });
  const events = (await list.json()).events as { id: string; is_default: boolean }[];
  const eventId = events.find((e) => e.is_default)?.id as string;
  const prints = async () => {
    const r = await request.get(`${E2E_ORIGIN}/api/events/${eventId}/stats`, { headers: adminAuth });
    expect(r.status()).toBe(200);
    return (await r.json()).stats.prints as number;
  };
  const before = await prints();

  const booth = await browser.newContext({
    viewport: { width: 1920, height: 1080 },
    permissions: ['camera'],
  });
  // The print dialog itself is the browser's; it is replaced by a counter here.
  await booth.addInitScript(() => {
    const w = window as unknown as { print: () => void; printed: number };
    w.printed = 0;
    w.print = () => {
      w.printed += 1;
    };
  });
  const page = await booth.newPage();
  await loginBooth(page);
  await page.getByRole('button', { name: /Take photos here/ }).click();
  const start = page.getByRole('button', { name: 'Start — 3 photos' });
  await expect(start).toBeEnabled();
  await start.click();
  await expect(page.getByRole('button', { name: 'Retake' })).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Make my picture' }).click();
  await expect(page.getByRole('img', { name: 'Your finished picture' })).toBeVisible();
  await page.getByRole('button', { name: 'Print' }).click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  await expect.poll(prints).toBe(before + 1);
  await booth.close();
});
