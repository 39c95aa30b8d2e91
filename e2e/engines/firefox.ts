import fs from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import type { GuestBrowser } from './journey';

/** Firefox ESR, driven by puppeteer-core over WebDriver BiDi, headless (no display needed). */
export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
const PHONE = { width: 390, height: 844 };

export async function openFirefox(): Promise<GuestBrowser> {
  if (!fs.existsSync(FIREFOX)) throw new Error(`${FIREFOX} is missing: apt-get install -y firefox-esr`);
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    timeout: 60_000,
  });
  const close = async () => {
    const pid = browser.process()?.pid;
    await browser.close().catch(() => {
      // puppeteer could not end it over the protocol: by its pid.
      if (pid) process.kill(pid, 'SIGKILL');
    });
  };
  try {
    const page = await browser.newPage();
    await page.setViewport(PHONE);
    page.setDefaultTimeout(30_000);
    return {
      name: 'firefox',
      open: async (url) => {
        await page.goto(url, { timeout: 60_000 });
      },
      async choosePhotos(files) {
        const input = await page.waitForSelector('input[type=file][multiple]');
        if (!input) throw new Error('no photo picker on the page');
        await input.uploadFile(...files);
      },
      evaluate: async <T>(expression: string) => (await page.evaluate(expression)) as T,
      async screenshot(file) {
        await page.screenshot({ path: file as `${string}.png` });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
