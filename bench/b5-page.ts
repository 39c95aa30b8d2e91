import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, SYSTEM_CHROMIUM } from '../e2e/chromium';
import { createSession } from './lib/api';
import { buildFloor, kb, loadPage, MOBILE_PROFILE, type PageLoad, startFloor } from './lib/page-load';
import { type BenchContext, type BenchResult, type Row, x } from './lib/report';
import { type RunningServer, startProduct } from './lib/servers';
import { fmtMs, median } from './lib/util';

/**
 * B5: the guest page /s/[id] in headless Chromium under Lighthouse's mobile profile
 * (bench/lib/page-load.ts): the JavaScript it loads (gzip bytes) and its Largest Contentful
 * Paint, against the framework floor (an empty App Router page, same next.config.mjs).
 */

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
      `${MOBILE_PROFILE}; ${runs} loads each (medians). JS = every script response until load + 3 s, gzip level 9 computed here from the decoded bodies (on the wire, server.mjs gzips the product's pages and assets; the floor's \`next start\` sends them as next.config.mjs says, uncompressed).`,
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
