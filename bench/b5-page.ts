import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Response } from 'playwright-core';
import { CHROMIUM_ARGS, SYSTEM_CHROMIUM } from '../e2e/chromium';
import { createSession } from './lib/api';
import { type BenchContext, type BenchResult, type Row, x } from './lib/report';
import { NEXT_BIN, nextBuild, ROOT, type RunningServer, startProduct } from './lib/servers';
import { fmtMs, freePort, median, sleep } from './lib/util';

/**
 * B5: the guest page /s/[id] in headless Chromium under Lighthouse's mobile profile (CDP: 562.5 ms
 * RTT, 1.6 Mbps down, 750 kbps up, 4× CPU slowdown, a 412×823 phone screen): the JavaScript it
 * loads (gzip bytes, computed here, whatever the server sends) and its Largest Contentful Paint.
 * The framework floor is an empty App Router page built with the same next.config.mjs in a
 * throwaway app under bench/.out/floor-app (it shares the project's node_modules by living
 * inside the project folder, and is never part of the product build).
 */

const MOBILE_UA =
  'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';

const FLOOR_DIR = path.join(ROOT, 'bench', '.out', 'floor-app');

interface PageLoad {
  status: number;
  scripts: number;
  jsRaw: number;
  jsGzip: number;
  lcp: number;
}

/** Writes and builds the empty app (only when missing or older than the config). */
function buildFloor(log: (s: string) => void): void {
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
  log('B5: building the framework floor (an empty page, same next.config.mjs)');
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

async function startFloor(): Promise<{ url: string; stop: () => Promise<void> }> {
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

async function loadPage(browser: Browser, url: string): Promise<PageLoad> {
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
    page.on('response', (r) => {
      if (r.request().resourceType() === 'script') scripts.push(r);
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
    return { status: res?.status() ?? 0, scripts: scripts.length, jsRaw, jsGzip, lcp };
  } finally {
    await context.close();
  }
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export async function runB5(ctx: BenchContext): Promise<BenchResult> {
  const runs = ctx.quick ? 1 : 3;
  const details: string[] = [];
  if (!fs.existsSync(SYSTEM_CHROMIUM)) {
    return {
      rows: [
        {
          id: 'B5',
          what: 'guest page /s/[id]',
          value: `no Chromium at ${SYSTEM_CHROMIUM}`,
          baseline: '—',
          ratio: '—',
          target: 'JS ≤ floor + 30 KB gz; LCP ≤ 2.0 s',
          met: null,
        },
      ],
      details: [`Chromium was not found at ${SYSTEM_CHROMIUM} (set CHROMIUM_PATH).`],
    };
  }
  buildFloor(ctx.log);
  const servers: RunningServer[] = [];
  let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
  const browser = await chromium.launch({ executablePath: SYSTEM_CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const product = await startProduct({ dataDir: path.join(ctx.tmp, 'b5-product') });
    servers.push(product);
    floor = await startFloor();
    const id = await createSession(product.url);
    const guestUrl = `${product.url}/s/${id}`;
    const probe = await fetch(guestUrl);
    await probe.arrayBuffer();
    // Warm both servers (first render compiles nothing in production, but fills caches).
    await fetch(floor.url).then((r) => r.arrayBuffer());

    const pageRuns: PageLoad[] = [];
    const floorRuns: PageLoad[] = [];
    for (let i = 0; i < runs; i++) {
      ctx.log(`B5: load ${i + 1}/${runs} of the guest page and the floor`);
      if (probe.status === 200) pageRuns.push(await loadPage(browser, guestUrl));
      floorRuns.push(await loadPage(browser, floor.url));
    }
    const fl = {
      gz: median(floorRuns.map((r) => r.jsGzip)),
      raw: median(floorRuns.map((r) => r.jsRaw)),
      lcp: median(floorRuns.map((r) => r.lcp)),
    };
    details.push(
      `Mobile profile through CDP: latency 562.5 ms, 1.6 Mbps down, 750 kbps up, CPU 4× slower, 412×823 at DPR 1.75, cache disabled; ${runs} loads each (medians). JS = every script response until load + 3 s, gzip level 9 computed here from the decoded bodies (on the wire, server.mjs gzips the product's pages and assets; the floor's \`next start\` sends them as next.config.mjs says, uncompressed).`,
      `- floor (empty page, same config): ${floorRuns.map((r) => `${r.scripts} scripts, ${kb(r.jsGzip)} gz (${kb(r.jsRaw)} raw), LCP ${fmtMs(r.lcp)}`).join(' | ')}`,
    );
    const rows: Row[] = [];
    if (probe.status !== 200) {
      details.push(
        `- the guest page answered HTTP ${probe.status} at ${new URL(guestUrl).pathname}: not measured.`,
      );
      rows.push({
        id: 'B5',
        what: 'guest page /s/[id] first-load JS',
        value: `page missing (HTTP ${probe.status})`,
        baseline: `floor ${kb(fl.gz)} gz`,
        ratio: '—',
        target: 'JS ≤ floor + 30 KB gz',
        met: null,
      });
      rows.push({
        id: 'B5',
        what: 'guest page LCP (mobile profile)',
        value: 'page missing',
        baseline: `floor ${fmtMs(fl.lcp)}`,
        ratio: '—',
        target: 'LCP ≤ 2.0 s',
        met: null,
      });
      return { rows, details };
    }
    const pg = {
      gz: median(pageRuns.map((r) => r.jsGzip)),
      raw: median(pageRuns.map((r) => r.jsRaw)),
      lcp: median(pageRuns.map((r) => r.lcp)),
    };
    details.push(
      `- guest page /s/[id] (an upload session): ${pageRuns.map((r) => `${r.scripts} scripts, ${kb(r.jsGzip)} gz (${kb(r.jsRaw)} raw), LCP ${fmtMs(r.lcp)}`).join(' | ')}`,
    );
    rows.push({
      id: 'B5',
      what: 'guest page /s/[id] first-load JS (gzip)',
      value: kb(pg.gz),
      baseline: `floor ${kb(fl.gz)}`,
      ratio: `+${kb(pg.gz - fl.gz)} (${x(pg.gz / fl.gz)})`,
      target: 'JS ≤ floor + 30 KB gz',
      met: pg.gz - fl.gz <= 30 * 1024,
    });
    rows.push({
      id: 'B5',
      what: 'guest page LCP (mobile profile)',
      value: fmtMs(pg.lcp),
      baseline: `floor ${fmtMs(fl.lcp)}`,
      ratio: x(pg.lcp / fl.lcp),
      target: 'LCP ≤ 2.0 s',
      met: pg.lcp > 0 && pg.lcp <= 2000,
    });
    return { rows, details };
  } finally {
    await browser.close();
    await floor?.stop();
    await Promise.all(servers.map((s) => s.stop()));
  }
}
