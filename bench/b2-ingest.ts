import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { MAX_LONG_SIDE, THUMB_LONG_SIDE } from '@/lib/images';
import { createSession, uploadPhoto } from './lib/api';
import { makePhoneJpeg, smallJpeg } from './lib/images';
import { sessionsFor, uploadAll } from './lib/ingest';
import { type BenchContext, type BenchResult, type Row, x } from './lib/report';
import { type RunningServer, startProduct } from './lib/servers';
import { fmtMB, MB, median, pool, rssSampler, sleep, treeRss } from './lib/util';

/**
 * B2: photos per second for a 12 MP phone JPEG (EXIF, 4–10 MB) uploaded, normalized, stored and
 * answered 201 with 8 uploads in flight, against sharp alone doing the same normalization on the
 * same file at the same concurrency (in this process, no HTTP, no disk).
 * B3: peak RSS of the server (primary + workers) while 20 uploads of a 10 MB photo are in flight,
 * against its idle RSS.
 */

const IN_FLIGHT = 8;

/** The product's normalization (lib/images.ts normalizeImage), without its HTTP, disk and queue. */
async function sharpAlone(file: string): Promise<number> {
  const full = await sharp(file, { limitInputPixels: 40_000_000, failOn: 'warning', pages: 1 })
    .rotate()
    .resize({ width: MAX_LONG_SIDE, height: MAX_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColorspace('srgb')
    .jpeg({ quality: 86, mozjpeg: false, chromaSubsampling: '4:2:0' })
    .toBuffer();
  await sharp(full)
    .resize({ width: THUMB_LONG_SIDE, height: THUMB_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 78 })
    .toBuffer();
  createHash('sha256').update(full).digest('hex');
  return full.length;
}

export async function runB2B3(ctx: BenchContext): Promise<BenchResult> {
  const details: string[] = [];
  const rows: Row[] = [];
  const photoFile = path.join(ctx.tmp, 'phone-12mp.jpg');
  const bigFile = path.join(ctx.tmp, 'phone-12mp-10mb.jpg');
  ctx.log('B2: making the 12 MP test photos');
  const photoBytes = await makePhoneJpeg(photoFile, { sigma: 24, quality: 92 });
  const bigBytes = await makePhoneJpeg(bigFile, { sigma: 48, quality: 94 });
  const photo = fs.readFileSync(photoFile);
  const big = fs.readFileSync(bigFile);
  details.push(
    `Test photos made with sharp: 4032×3024 Gaussian noise over a gradient, EXIF orientation 6 and camera tags; ${(photoBytes / MB).toFixed(1)} MB (B2) and ${(bigBytes / MB).toFixed(1)} MB (B3). The product rotates, caps the long side at ${MAX_LONG_SIDE} px, converts to sRGB, re-encodes, makes a ${THUMB_LONG_SIDE} px thumbnail, hashes, writes both files with fsync and commits the row.`,
  );

  const uploads = ctx.quick ? 16 : 24;
  const rounds = ctx.quick ? 1 : 2;
  const servers: RunningServer[] = [];
  try {
    // ------------------------------------------------------------------------------------ B2
    const product = await startProduct({ dataDir: path.join(ctx.tmp, 'b2-product') });
    servers.push(product);
    const warm = await createSession(product.url);
    await uploadPhoto(product.url, warm, photo);
    await Promise.all(Array.from({ length: 2 }, () => sharpAlone(photoFile)));

    const productRuns: number[] = [];
    const sharpRuns: number[] = [];
    let bad = 0;
    for (let r = 0; r < rounds; r++) {
      ctx.log(
        `B2: round ${r + 1}/${rounds}: sharp alone, then the server (${uploads} photos, ${IN_FLIGHT} in flight)`,
      );
      const t0 = performance.now();
      await pool(
        Array.from({ length: uploads }, (_, i) => i),
        IN_FLIGHT,
        () => sharpAlone(photoFile),
      );
      sharpRuns.push(uploads / ((performance.now() - t0) / 1000));
      const targets = await sessionsFor(product.url, uploads);
      const res = await uploadAll(product.url, photo, targets, IN_FLIGHT);
      bad += res.statuses.filter((s) => s !== 201).length;
      productRuns.push(uploads / res.seconds);
    }
    await product.stop();
    servers.length = 0;
    const p = median(productRuns);
    const s = median(sharpRuns);
    details.push(
      `- B2 server: ${productRuns.map((v) => `${v.toFixed(2)}`).join(', ')} photos/s; sharp alone: ${sharpRuns.map((v) => `${v.toFixed(2)}`).join(', ')} photos/s${bad ? `; ${bad} uploads not answered 201` : ''}`,
    );
    rows.push({
      id: 'B2',
      what: `ingest 12 MP JPEG (${(photoBytes / MB).toFixed(1)} MB), ${IN_FLIGHT} in flight`,
      value: `${p.toFixed(2)} photos/s`,
      baseline: `sharp alone ${s.toFixed(2)} photos/s`,
      ratio: x(p / s),
      target: '≥ 0.8× sharp alone',
      met: bad === 0 && p / s >= 0.8,
    });

    // ------------------------------------------------------------------------------------ B3
    ctx.log('B3: idle RSS, then 20 uploads of 10 MB in flight');
    const fresh = await startProduct({ dataDir: path.join(ctx.tmp, 'b3-product') });
    servers.push(fresh);
    // Idle = started and warmed (one small upload, so sharp is loaded), then left alone.
    const w = await createSession(fresh.url);
    await uploadPhoto(fresh.url, w, await smallJpeg());
    await fetch(`${fresh.url}/api/session/${w}`);
    await sleep(2000);
    const idle = treeRss(fresh.pid);
    const targets = await sessionsFor(fresh.url, 20);
    const sampler = rssSampler(fresh.pid, 20);
    const res = await uploadAll(fresh.url, big, targets, 20);
    const { peak, samples } = sampler.stop();
    const ok = res.statuses.filter((st) => st === 201).length;
    details.push(
      `- B3: idle ${fmtMB(idle)} (primary + workers), peak ${fmtMB(peak)} over ${samples} samples every 20 ms; ${ok}/20 answered 201 in ${res.seconds.toFixed(1)} s`,
    );
    rows.push({
      id: 'B3',
      what: 'peak RSS, 20 uploads of 10 MB in flight',
      value: `peak ${fmtMB(peak)} (+${fmtMB(peak - idle)})`,
      baseline: `idle ${fmtMB(idle)}`,
      ratio: `+${fmtMB(peak - idle)}`,
      target: '≤ idle + 250 MB',
      met: ok === 20 && peak - idle <= 250 * MB,
    });
    return { rows, details };
  } finally {
    await Promise.all(servers.map((srv) => srv.stop()));
  }
}
