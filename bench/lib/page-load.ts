import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Response } from 'playwright-core';
import { NEXT_BIN, nextBuild, ROOT } from './servers';
import { freePort, sleep } from './util';

/**
 * One page load under Lighthouse's mobile profile, shared by B5 (guest page) and B8 (host
 * gallery): headless Chromium through CDP (562.5 ms RTT, 1.6 Mbps down, 750 kbps up, 4× CPU
 * slowdown, a 412×823 phone screen, cache disabled). It reports the JavaScript loaded (gzip
 * bytes, computed here, whatever the server sends), the Largest Contentful Paint and the image
 * requests made. The framework floor is an empty App Router page built with the same
 * next.config.mjs in a throwaway app under bench/.out/floor-app (it shares the project's
 * node_modules by living inside the project folder, and is never part of the product build).
 */

/** How the profile reads in BENCHMARKS.md. */
export const MOBILE_PROFILE =
  'Mobile profile through CDP: latency 562.5 ms, 1.6 Mbps down, 750 kbps up, CPU 4× slower, 412×823 at DPR 1.75, cache disabled';

const MOBILE_UA =
  'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';

const FLOOR_DIR = path.join(ROOT, 'bench', '.out', 'floor-app');

export interface PageLoad {
  status: number;
  scripts: number;
  jsRaw: number;
  jsGzip: number;
  lcp: number;
  /** Image requests made until load + 3 s, and their bytes (decoded). */
  images: number;
  imageBytes: number;
}

/** Writes and builds the empty app (only when missing or older than the config). */
export function buildFloor(log: (s: string) => void): void {
  const buildId = path.join(FLOOR_DIR, '.next', 'BUILD_ID');
  const config = path.join(ROOT, 'next.config.mjs');
  const stamp = path.join(FLOOR_DIR, 'next.config.mjs');
  if (
    fs.existsSync(buildId) &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, 'utf8') === fs.readFileSync(config, 'utf8') &&
    fs.statSync(buildId).mtimeMs > fs.statSync(path.join(ROOT, 'package-lock.json')).mtimeMs
  ) {
    return;
  }
  log('building the framework floor (an empty page, same next.config.mjs)');
  fs.rmSync(FLOOR_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.join(FLOOR_DIR, 'app'), { recursive: true });
  fs.copyFileSync(config, stamp);
  // The config may name project files (e.g. the translation plugin's request config): link them.
  for (const name of ['i18n', 'messages']) {
    if (fs.existsSync(path.join(ROOT, name)))
      fs.symlinkSync(path.join(ROOT, name), path.join(FLOOR_DIR, name));
  }
  fs.writeFileSync(path.join(FLOOR_DIR, 'package.json'), '{ "private": true, "type": "module" }\n');
  // Without its own, the build would pick up the product's instrumentation hook (database and all).
  fs.writeFileSync(path.join(FLOOR_DIR, 'instrumentation.js'), 'export function register() {}\n');
  fs.writeFileSync(
    path.join(FLOOR_DIR, 'app', 'layout.jsx'),
    'export default function RootLayout({ children }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n',
  );
  fs.writeFileSync(
    path.join(FLOOR_DIR, 'app', 'page.jsx'),
    "export const dynamic = 'force-dynamic';\n\nexport default function Page() {\n  return <main><h1>Empty</h1></main>;\n}\n",
  );
  nextBuild(FLOOR_DIR, { NEXT_DIST_DIR: '.next', NEXT_SKIP_TYPECHECK: '1' });
}

export async function startFloor(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: FLOOR_DIR,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, NEXT_DIST_DIR: '.next', NODE_ENV: 'production' },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('the floor app did not start');
    await sleep(100);
  }
  return {
    url,
    stop: async () => {
      try {
        process.kill(-(proc.pid as number), 'SIGTERM');
      } catch {
        // gone
      }
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    },
  };
}

export async function loadPage(browser: Browser, url: string): Promise<PageLoad> {
  const context = await browser.newContext({
    viewport: { width: 412, height: 823 },
    deviceScaleFactor: 1.75,
    isMobile: true,
    hasTouch: true,
    userAgent: MOBILE_UA,
  });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 562.5,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.addInitScript(() => {
      const w = window as unknown as { __lcp: number };
      w.__lcp = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__lcp = e.startTime;
      }).observe({ type: 'largest-contentful-paint', buffered: true });
    });
    const scripts: Response[] = [];
    const images: Response[] = [];
    page.on('response', (r) => {
      const type = r.request().resourceType();
      if (type === 'script') scripts.push(r);
      else if (type === 'image') images.push(r);
    });
    const res = await page.goto(url, { waitUntil: 'load', timeout: 90_000 });
    // Late client renders and lazy chunks: give the page a moment after load.
    await page.waitForTimeout(3000);
    const lcp = await page.evaluate(() => (window as unknown as { __lcp: number }).__lcp);
    let jsRaw = 0;
    let jsGzip = 0;
    for (const r of scripts) {
      const body = await r.body().catch(() => Buffer.alloc(0));
      jsRaw += body.length;
      jsGzip += gzipSync(body, { level: 9 }).length;
    }
    let imageBytes = 0;
    for (const r of images) imageBytes += (await r.body().catch(() => Buffer.alloc(0))).length;
    return {
      status: res?.status() ?? 0,
      scripts: scripts.length,
      jsRaw,
      jsGzip,
      lcp,
      images: images.length,
      imageBytes,
    };
  } finally {
    await context.close();
  }
}

export const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
