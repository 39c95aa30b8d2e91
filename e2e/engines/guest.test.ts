import fs from 'node:fs';
import path from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { openFirefox } from './firefox';
import { type GuestBrowser, guestJourney } from './journey';
import { startServer, type TestServer } from './support';
import { openWebKit } from './webkit';

/**
 * The guest journey in the two engines that Playwright's Chromium does not cover: WebKit (every
 * iPhone) and Firefox ESR. Run by `npm run test:engines` (part of `npm test`), against one
 * production server. Screenshots go to test-results/engines/.
 */
const OUT = path.join(process.cwd(), 'test-results', 'engines');
let server: TestServer;

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

async function journey(t: TestContext, open: () => Promise<GuestBrowser & { log?: string[] }>) {
  const mark = Date.now();
  const browser = await open();
  t.diagnostic(`${browser.name}: browser started in ${((Date.now() - mark) / 1000).toFixed(1)} s`);
  try {
    await guestJourney(browser, server, OUT, (message) => t.diagnostic(message));
  } catch (err) {
    const logs = [
      browser.log?.length ? `--- ${browser.name} driver log ---\n${browser.log.join('\n')}` : '',
      `--- server log ---\n${server.log.join('\n')}`,
    ];
    // The reporter prints the stack: the logs go there (and to files beside the screenshots).
    const text = logs.filter(Boolean).join('\n');
    fs.writeFileSync(path.join(OUT, `${browser.name}-failure.log`), text);
    if (err instanceof Error) err.stack = `${err.stack}\n${text}`;
    throw err;
  } finally {
    await browser.close();
  }
}

test(
  'WebKit (WebKitGTK MiniBrowser): three photos from the phone, the picture appears by itself',
  { timeout: 300_000 },
  (t) => journey(t, openWebKit),
);

test(
  'Firefox ESR (WebDriver BiDi): three photos from the phone, the picture appears by itself',
  { timeout: 300_000 },
  (t) => journey(t, openFirefox),
);
