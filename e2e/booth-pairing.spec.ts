import { type APIRequestContext, type Browser, expect, type Page, test } from '@playwright/test';
import { E2E_ORIGIN } from './env';
import { adminAuth, decodeQr } from './helpers';

/** A booth pairs itself with the admin's 6-digit code on the on-screen pad, or with the link. */

async function newEventWithBooth(request: APIRequestContext, name: string) {
  const e = await request.post(`${E2E_ORIGIN}/api/events`, {
    headers: adminAuth,
    data: {
      name,
      theme: { background: '#123456', text: '#fafafa', accent: '#e11d48' },
      wifi: { ssid: `${name} Wi-Fi`, password: 'sparkles' },
      layouts: ['strip', 'single'],
    },
  });
  expect(e.status()).toBe(201);
  const event = (await e.json()).event as { id: string; name: string };
  const b = await request.post(`${E2E_ORIGIN}/api/events/${event.id}/booths`, {
    headers: adminAuth,
    data: { name: 'Entrance' },
  });
  expect(b.status()).toBe(201);
  const { pairing } = (await b.json()) as { pairing: { code: string; url: string } };
  return { event, pairing };
}

/** A fresh kiosk browser: no cookie, no token. */
async function freshBooth(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  return { context, page: await context.newPage() };
}

async function tapCode(page: Page, code: string) {
  for (const d of code) await page.getByRole('button', { name: d, exact: true }).click();
}

test('a fresh booth pairs with the code typed on the on-screen pad and shows its event', async ({
  browser,
  request,
}) => {
  const { event, pairing } = await newEventWithBooth(request, 'Pad Party');
  const { context, page } = await freshBooth(browser);
  await page.goto('/booth');
  await page.getByRole('button', { name: 'Pair with a code' }).click();
  // Nothing that would pop up the system keyboard has focus.
  expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('INPUT');
  await tapCode(page, pairing.code.slice(0, 5));
  await expect(page.getByTestId('pair-digits')).toHaveText(pairing.code.slice(0, 5));
  // Backspace and the digit again: still the right code.
  await page.getByRole('button', { name: 'Delete the last digit' }).click();
  await expect(page.getByTestId('pair-digits')).toHaveText(pairing.code.slice(0, 4));
  await tapCode(page, pairing.code.slice(4));

  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  const name = page.getByText(event.name, { exact: true });
  await expect(name).toBeVisible();
  // The event's theme on the booth's start screen.
  expect(await name.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(18, 52, 86)');
  // The event's Wi-Fi and layouts on the phone screen.
  await page.getByRole('button', { name: /Send photos from your phone/ }).click();
  const wifi = await decodeQr(
    page.getByRole('img', { name: `QR code to join the Wi-Fi ${event.name} Wi-Fi` }),
  );
  expect(wifi).toBe(`WIFI:T:WPA;S:${event.name} Wi-Fi;P:sparkles;;`);
  // A reload keeps it paired (the cookie).
  await page.goto('/booth');
  await expect(page.getByText(event.name, { exact: true })).toBeVisible();
  await context.close();
});

test('a wrong code says so and clears the pad; a used code is refused too', async ({ browser, request }) => {
  const { pairing } = await newEventWithBooth(request, 'Wrong Code Party');
  const wrong = String((Number(pairing.code) + 1) % 1_000_000).padStart(6, '0');
  const { context, page } = await freshBooth(browser);
  await page.goto('/booth');
  await page.getByRole('button', { name: 'Pair with a code' }).click();
  await tapCode(page, wrong);
  await expect(page.getByRole('alert').filter({ hasText: 'That code is not right' })).toBeVisible();
  await expect(page.getByTestId('pair-digits')).toHaveText('');
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toHaveCount(0);
  await context.close();
});

test('the admin’s pairing link pairs the booth on open and leaves the address clean', async ({
  browser,
  request,
}) => {
  const { event, pairing } = await newEventWithBooth(request, 'Link Party');
  const link = new URL(pairing.url);
  expect(link.pathname).toBe('/booth');
  expect(link.searchParams.get('pair')).toBe(pairing.code);
  const { context, page } = await freshBooth(browser);
  await page.goto(`${link.pathname}${link.search}`);
  await expect(page.getByRole('heading', { name: 'Tap to start' })).toBeVisible();
  await expect(page.getByText(event.name, { exact: true })).toBeVisible();
  expect(new URL(page.url()).search).toBe('');

  // The same link again (single use) on another device: refused, shown on the pad.
  const other = await freshBooth(browser);
  await other.page.goto(`${link.pathname}${link.search}`);
  await expect(other.page.getByRole('alert').filter({ hasText: 'That code is not right' })).toBeVisible();
  expect(new URL(other.page.url()).search).toBe('');
  await other.context.close();
  await context.close();
});
