import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { CHROMIUM_ARGS, SYSTEM_CHROMIUM } from '../e2e/chromium';
import { buildFloor, kb, loadPage, MOBILE_PROFILE, type PageLoad, startFloor } from './lib/page-load';
import { type BenchContext, type BenchResult, type Row, x } from './lib/report';
import { adminAuth, ROOT, type RunningServer, startProduct } from './lib/servers';
import { fmtMB, fmtMs, MB, median, rssSampler, sleep, treeRss } from './lib/util';

/**
 * B8: the host gallery of an event with 1,000 pictures.
 * a) GET /api/gallery/<token>/zip downloaded whole from `node server.mjs`, the server's RSS
 *    (primary + workers) sampled every 50 ms: peak − idle, and the throughput against a plain
 *    `zip -0 -q` (stored entries, like ours) of the same 1,000 files in the same run; the archive
 *    is checked once with `unzip -t` and must hold 1,000 entries.
 * b) The page /g/<token> under B5's mobile profile (bench/lib/page-load.ts): first-load JS
 *    against the same framework floor, LCP, and how many images it asks for while it loads (one
 *    page of thumbnails, not 1,000).
 *
 * The 1,000 pictures (1800×1200 JPEGs of 250–650 KB, each different: the bundled samples cropped,
 * hue-shifted, brightness-shifted, with grain and a number drawn on) are made once with sharp
 * into a data folder under the system temp folder, named by SEED_VERSION, and reused by later
 * runs: rows in the pictures table and files where lib/pictures.ts keeps them
 * (<DATA_DIR>/pictures/<event_id>/<id>.jpg and .thumb.jpg), so the server sees real pictures.
 */

const SEED_VERSION = 1;
const COUNT = 1000;
const SEED_DIR = path.join(os.tmpdir(), `pb-bench-b8-seed-v${SEED_VERSION}`);
const SAMPLES = path.join(ROOT, 'assets', 'samples');
const W = 1800;
const H = 1200;
const DAY_MS = 24 * 60 * 60_000;

interface Seed {
  version: number;
  eventId: string;
  token: string;
  /** A second event with no pictures: warms the ZIP route before the idle RSS is read. */
  emptyToken: string;
  count: number;
  bytes: number;
  expiresAt: number;
}

const metaFile = path.join(SEED_DIR, 'seed.json');

function readSeed(): Seed | null {
  try {
    const seed = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Seed;
    // Pictures are made to last a year; an older seed is made again.
    return seed.version === SEED_VERSION && seed.count === COUNT && seed.expiresAt > Date.now() + DAY_MS
      ? seed
      : null;
  } catch {
    return null;
  }
}

/** The event's files in the order the ZIP holds them (oldest first). */
function pictureFiles(seed: Seed): string[] {
  const db = new Database(path.join(SEED_DIR, 'photobooth.db'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT storage_key FROM pictures WHERE event_id = ? ORDER BY created_at, id')
      .all(seed.eventId) as { storage_key: string }[];
    return rows.map((r) => `${r.storage_key}.jpg`);
  } finally {
    db.close();
  }
}

async function makeSeed(log: (s: string) => void): Promise<Seed> {
  log(`B8: seeding ${COUNT} pictures in ${SEED_DIR} (once; later runs reuse it)`);
  fs.rmSync(SEED_DIR, { recursive: true, force: true });
  fs.mkdirSync(SEED_DIR, { recursive: true });
  // The product makes the database (migrations, tokens) and the events; then it is stopped and
  // the pictures are written as lib/pictures.ts would, before it starts again (its start-up
  // sweep removes picture files no row points to).
  const server = await startProduct({ dataDir: SEED_DIR });
  let eventId: string;
  let token: string;
  let emptyToken: string;
  try {
    const api = async (p: string, init: RequestInit = {}) => {
      const r = await fetch(`${server.url}${p}`, {
        ...init,
        headers: { ...adminAuth, 'content-type': 'application/json', ...(init.headers ?? {}) },
      });
      if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
      return r.json() as Promise<Record<string, unknown>>;
    };
    const made = async (name: string) => {
      const created = await api('/api/events', {
        method: 'POST',
        body: JSON.stringify({ name, retention_days: 365 }),
      });
      const id = (created.event as { id: string }).id;
      const link = await api(`/api/events/${id}/host-link`);
      return { id, token: String(link.token ?? (link.host_link as { token: string }).token) };
    };
    const big = await made('Bench gallery');
    eventId = big.id;
    token = big.token;
    emptyToken = (await made('Bench empty gallery')).token;
  } finally {
    await server.stop();
  }

  const dir = path.join(SEED_DIR, 'pictures', eventId);
  fs.mkdirSync(dir, { recursive: true });
  const grain: Buffer[] = [];
  for (let k = 0; k < 5; k++) {
    grain.push(
      await sharp({
        create: {
          width: W,
          height: H,
          channels: 3,
          background: { r: 0, g: 0, b: 0 },
          noise: { type: 'gaussian', mean: 128, sigma: 12 + k * 3 },
        },
      })
        .png({ compressionLevel: 1 })
        .toBuffer(),
    );
  }
  const samples = fs
    .readdirSync(SAMPLES)
    .filter((f) => f.endsWith('.jpg'))
    .sort();
  const bases: Buffer[] = [];
  for (const s of samples) {
    bases.push(
      await sharp(path.join(SAMPLES, s))
        .resize(W + 400, H + 300, { fit: 'cover' })
        .png({ compressionLevel: 1 })
        .toBuffer(),
    );
  }
  const start = Date.now() - COUNT * 10_000;
  const expiresAt = start + 365 * DAY_MS;
  const rows: unknown[][] = [];
  let bytes = 0;
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= COUNT) return;
      const label = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="${60 + ((i * 53) % 900)}" y="${200 + ((i * 97) % 800)}" font-size="120" fill="#fff" font-family="sans-serif">#${i + 1}</text></svg>`,
      );
      const full = await sharp(bases[i % bases.length])
        .extract({ left: (i * 31) % 400, top: (i * 17) % 300, width: W, height: H })
        .modulate({ hue: (i * 37) % 360, brightness: 0.85 + (i % 7) * 0.05 })
        .composite([{ input: grain[i % grain.length] as Buffer, blend: 'soft-light' }, { input: label }])
        .jpeg({ quality: 90 })
        .toBuffer();
      // The thumbnail as lib/images.ts makes it.
      const thumb = await sharp(full)
        .resize({ width: 400, height: 400, fit: 'inside' })
        .jpeg({ quality: 78 })
        .toBuffer();
      const fileId = randomUUID();
      fs.writeFileSync(path.join(dir, `${fileId}.jpg`), full);
      fs.writeFileSync(path.join(dir, `${fileId}.thumb.jpg`), thumb);
      bytes += full.length;
      const createdAt = start + i * 10_000;
      rows.push([
        randomUUID(),
        eventId,
        randomBytes(24).toString('base64url'),
        `${eventId}/${fileId}`,
        'image/jpeg',
        W,
        H,
        full.length,
        createHash('sha256').update(full).digest('hex'),
        createdAt,
        expiresAt,
      ]);
      if ((i + 1) % 250 === 0) log(`B8: ${i + 1}/${COUNT} pictures`);
    }
  };
  await Promise.all([lane(), lane()]);
  const db = new Database(path.join(SEED_DIR, 'photobooth.db'));
  try {
    const insert = db.prepare(
      `INSERT INTO pictures (id, event_id, session_id, token, storage_key, content_type, width, height, bytes, sha256, created_at, expires_at)
       VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (const r of rows) insert.run(...r);
    })();
  } finally {
    db.close();
  }
  const seed: Seed = { version: SEED_VERSION, eventId, token, emptyToken, count: COUNT, bytes, expiresAt };
  fs.writeFileSync(metaFile, JSON.stringify(seed, null, 2));
  return seed;
}

/** `zip -0 -q` of the files (paths relative to `cwd`) into `out`; its wall time in ms. */
async function plainZip(cwd: string, files: string[], out: string): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const p = spawn('zip', ['-0', '-q', out, ...files], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`zip exited ${code}: ${err}`))));
  });
  return performance.now() - t0;
}

interface ZipRun {
  ms: number;
  bytes: number;
  peak: number;
  samples: number;
  status: number;
}

/** Downloads the ZIP whole into `out` while sampling the server's RSS every 50 ms. */
async function ourZip(server: RunningServer, token: string, out: string): Promise<ZipRun> {
  const sampler = rssSampler(server.pid, 50);
  const t0 = performance.now();
  const res = await fetch(`${server.url}/api/gallery/${token}/zip`);
  if (!res.body) throw new Error(`zip: no body (${res.status})`);
  await pipeline(Readable.fromWeb(res.body as WebReadableStream), fs.createWriteStream(out));
  const ms = performance.now() - t0;
  const { peak, samples } = sampler.stop();
  return { ms, bytes: fs.statSync(out).size, peak, samples, status: res.status };
}

const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000);

export async function runB8(ctx: BenchContext): Promise<BenchResult> {
  const rounds = ctx.quick ? 1 : 3;
  const loads = ctx.quick ? 1 : 3;
  const seed = readSeed() ?? (await makeSeed(ctx.log));
  const files = pictureFiles(seed);
  if (files.length !== COUNT) throw new Error(`the seed has ${files.length} pictures, not ${COUNT}`);
  const picturesRoot = path.join(SEED_DIR, 'pictures');
  const rows: Row[] = [];
  const details: string[] = [];
  const servers: RunningServer[] = [];
  try {
    const product = await startProduct({ dataDir: SEED_DIR });
    servers.push(product);

    // ---------------------------------------------------------------- a) the ZIP of 1,000
    // Warm the ZIP route in every worker (an empty event's archive) and the page cache (the
    // files are read once), so neither the first-request code loading nor a cold disk is measured.
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${product.url}/api/gallery/${seed.emptyToken}/zip`);
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`empty zip: ${r.status}`);
    }
    for (const f of files) fs.readFileSync(path.join(picturesRoot, f));
    await sleep(1000);
    const idleSamples: number[] = [];
    for (let i = 0; i < 10; i++) {
      idleSamples.push(treeRss(product.pid));
      await sleep(100);
    }
    const idle = median(idleSamples);

    const ours: ZipRun[] = [];
    const plain: number[] = [];
    let plainBytes = 0;
    let verified = '';
    for (let i = 0; i < rounds; i++) {
      ctx.log(`B8: ZIP round ${i + 1}/${rounds} (zip -0, then the server's)`);
      const base = path.join(ctx.tmp, `b8-plain-${i}.zip`);
      plain.push(await plainZip(picturesRoot, files, base));
      plainBytes = fs.statSync(base).size;
      fs.rmSync(base, { force: true });
      const out = path.join(ctx.tmp, `b8-ours-${i}.zip`);
      const run = await ourZip(product, seed.token, out);
      if (run.status !== 200) throw new Error(`zip: HTTP ${run.status}`);
      ours.push(run);
      if (i === 0) {
        // The archive is whole and holds every picture.
        execFileSync('unzip', ['-tq', out], { stdio: ['ignore', 'pipe', 'pipe'] });
        const entries = execFileSync('unzip', ['-Z1', out], { maxBuffer: 16 * MB })
          .toString()
          .split('\n')
          .filter(Boolean).length;
        if (entries !== COUNT) throw new Error(`the archive holds ${entries} entries, not ${COUNT}`);
        verified = `\`unzip -t\`: no errors, ${entries} entries`;
      }
      fs.rmSync(out, { force: true });
      await sleep(500);
    }
    const peak = Math.max(...ours.map((r) => r.peak));
    const added = peak - idle;
    const ourRate = median(ours.map((r) => mbps(r.bytes, r.ms)));
    const plainRate = median(plain.map((ms) => mbps(plainBytes, ms)));
    rows.push(
      {
        id: 'B8',
        what: `host ZIP of ${COUNT} pictures (${fmtMB(seed.bytes)}): server RSS while it is downloaded`,
        value: `peak ${fmtMB(peak)} (+${fmtMB(added)})`,
        baseline: `idle ${fmtMB(idle)}`,
        ratio: `+${fmtMB(added)}`,
        target: '≤ idle + 50 MB',
        met: added <= 50 * MB,
      },
      {
        id: 'B8',
        what: `host ZIP of ${COUNT} pictures: throughput`,
        value: `${ourRate.toFixed(0)} MB/s`,
        baseline: `\`zip -0 -q\` ${plainRate.toFixed(0)} MB/s`,
        ratio: x(ourRate / plainRate),
        target: 'report',
        met: null,
      },
    );
    details.push(
      `${COUNT} pictures of one event, 1800×1200 JPEGs made with sharp from assets/samples (cropped, hue and brightness shifted, grain, a number drawn on: each different), ${fmtMB(seed.bytes)} in all (seeded once into ${SEED_DIR}, reused). Server: \`node server.mjs\`; before the idle reading, 6 downloads of an empty event's ZIP warm the route in both workers and every file is read once (page cache warm for both sides). ${rounds} rounds, each \`zip -0 -q\` of the same files (stored, like ours) into a file, then GET /api/gallery/<token>/zip streamed into a file by fetch; RSS of the server's primary and workers from /proc every 50 ms.`,
      `- server: ${ours.map((r) => `${fmtMB(r.bytes)} in ${fmtMs(r.ms)} (${mbps(r.bytes, r.ms).toFixed(0)} MB/s), peak RSS ${fmtMB(r.peak)} over ${r.samples} samples`).join(' | ')}`,
      `- \`zip -0 -q\`: ${plain.map((ms) => `${fmtMB(plainBytes)} in ${fmtMs(ms)} (${mbps(plainBytes, ms).toFixed(0)} MB/s)`).join(' | ')}`,
      `- idle RSS (primary + workers, median of 10 readings) ${fmtMB(idle)}; peak ${fmtMB(peak)}: +${fmtMB(added)}. ${verified}.`,
    );

    // ---------------------------------------------------------------- b) the page /g/<token>
    if (!fs.existsSync(SYSTEM_CHROMIUM)) {
      details.push(
        `Chromium was not found at ${SYSTEM_CHROMIUM} (set CHROMIUM_PATH): the page was not measured.`,
      );
      return { rows, details };
    }
    buildFloor(ctx.log);
    const floor = await startFloor();
    const browser = await chromium.launch({ executablePath: SYSTEM_CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const pageUrl = `${product.url}/g/${seed.token}`;
      const probe = await fetch(pageUrl);
      await probe.arrayBuffer();
      if (probe.status !== 200) throw new Error(`the gallery page answered ${probe.status}`);
      void fetch(floor.url).then((r) => r.arrayBuffer());
      const pageRuns: PageLoad[] = [];
      const floorRuns: PageLoad[] = [];
      for (let i = 0; i < loads; i++) {
        ctx.log(`B8: load ${i + 1}/${loads} of the gallery page and the floor`);
        pageRuns.push(await loadPage(browser, pageUrl));
        floorRuns.push(await loadPage(browser, floor.url));
      }
      const med = (runs: PageLoad[], k: keyof PageLoad) => median(runs.map((r) => r[k]));
      const gz = med(pageRuns, 'jsGzip');
      const floorGz = med(floorRuns, 'jsGzip');
      const lcp = med(pageRuns, 'lcp');
      const floorLcp = med(floorRuns, 'lcp');
      const images = Math.max(...pageRuns.map((r) => r.images));
      rows.push(
        {
          id: 'B8',
          what: `host gallery /g/[token] (${COUNT} pictures) first-load JS (gzip)`,
          value: kb(gz),
          baseline: `floor ${kb(floorGz)}`,
          ratio: `+${kb(gz - floorGz)} (${x(gz / floorGz)})`,
          target: 'JS ≤ floor + 40 KB gz',
          met: gz - floorGz <= 40 * 1024,
        },
        {
          id: 'B8',
          what: 'host gallery LCP (mobile profile)',
          value: fmtMs(lcp),
          baseline: `floor ${fmtMs(floorLcp)}`,
          ratio: x(lcp / floorLcp),
          target: 'LCP ≤ 2.5 s',
          met: lcp > 0 && lcp <= 2500,
        },
        {
          id: 'B8',
          what: 'host gallery: images requested during load (most of the loads)',
          value: `${images} of ${COUNT}`,
          baseline: '1 page = 48 thumbnails',
          ratio: '—',
          target: 'about one page (≤ 100), not all',
          met: images > 0 && images <= 100,
        },
      );
      const line = (r: PageLoad) =>
        `${r.scripts} scripts, ${kb(r.jsGzip)} gz (${kb(r.jsRaw)} raw), LCP ${fmtMs(r.lcp)}, ${r.images} images (${kb(r.imageBytes)})`;
      details.push(
        '',
        `Page: ${MOBILE_PROFILE}; ${loads} loads each (medians; images: the most of the loads). JS and images = every script / image response until load + 3 s (JS gzip level 9 computed from the decoded bodies, as B5). The page server-renders the newest 48 pictures and pages in more as the host scrolls.`,
        `- floor (empty page, same config): ${floorRuns.map(line).join(' | ')}`,
        `- host gallery /g/[token], ${COUNT} pictures: ${pageRuns.map(line).join(' | ')}`,
      );
    } finally {
      await browser.close();
      await floor.stop();
    }
    return { rows, details };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
