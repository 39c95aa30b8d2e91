import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { composeImage, type PictureTemplate, PLAIN_TEMPLATE } from '@/lib/images';
import { createSession, uploadPhoto } from './lib/api';
import { PHONE_EXIF_JPEG } from './lib/images';
import { type BenchContext, type BenchResult, x } from './lib/report';
import { adminAuth, type RunningServer, startProduct } from './lib/servers';
import { fmtMs, median, percentile } from './lib/util';

/**
 * B7: branded pictures.
 * - compose with the event's frame, caption and QR code against compose without them: the one
 *   function compose and the preview use (lib/images.ts composeImage), run in this process on the
 *   same 5 stored phone photos, alternating, so the ratio is what the template costs;
 * - the preview as the operator edits: sequential POST /api/events/:id/preview with a new caption
 *   each time, against the production server, the event framed and printing its QR code.
 */

const FRAME_SVG = (
  w: number,
  h: number,
) => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
  <rect x="30" y="30" width="${w - 60}" height="${h - 60}" fill="none" stroke="#7c3aed" stroke-width="60"/>
  <rect x="0" y="0" width="420" height="160" fill="#7c3aed"/></svg>`;

export async function runB7(ctx: BenchContext): Promise<BenchResult> {
  const runs = ctx.quick ? 5 : 15;
  const previews = ctx.quick ? 10 : 30;
  const dataDir = path.join(ctx.tmp, 'b7-product');
  const servers: RunningServer[] = [];
  try {
    const product = await startProduct({ dataDir });
    servers.push(product);
    const api = (p: string, init: RequestInit = {}) =>
      fetch(`${product.url}${p}`, { ...init, headers: { ...adminAuth, ...(init.headers ?? {}) } });

    // An event with a theme, a caption, a frame and print_qr.
    const created = await api('/api/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Bench wedding',
        caption: 'Anna & Max · 26.11.2026',
        print_qr: true,
        theme: { background: '#fef3c7', text: '#7c2d12' },
      }),
    });
    if (created.status !== 201) throw new Error(`create event: ${created.status}`);
    const event = ((await created.json()) as { event: { id: string } }).event;
    const framePng = await sharp(Buffer.from(FRAME_SVG(1800, 1200)))
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('frame', new Blob([new Uint8Array(framePng)], { type: 'image/png' }), 'frame.png');
    const framed = await api(`/api/events/${event.id}/frame`, { method: 'PUT', body: form });
    if (framed.status !== 200) throw new Error(`frame upload: ${framed.status} ${await framed.text()}`);
    const frameDir = path.join(dataDir, 'frames', event.id);
    const frameFile = path.join(frameDir, fs.readdirSync(frameDir)[0] as string);

    // --- compose with the template against without it, on 5 stored phone photos.
    const id = await createSession(product.url);
    const phone = fs.readFileSync(PHONE_EXIF_JPEG);
    for (let i = 0; i < 5; i++) {
      const r = await uploadPhoto(product.url, id, phone);
      if (r.status !== 201) throw new Error(`upload for compose: ${r.status}`);
    }
    const dir = path.join(dataDir, 'photos', id);
    const files = fs
      .readdirSync(dir)
      .filter((f) => !f.includes('.thumb'))
      .map((f) => path.join(dir, f));
    const branded: PictureTemplate = {
      theme: { background: '#fef3c7', text: '#7c2d12', accent: '#f59e0b' },
      caption: 'Anna & Max · 26.11.2026',
      frame: { key: frameFile, source: frameFile },
      qrUrl: `${product.url}/p/AbCdEfGhIjKlMnOpQrStUv`,
    };
    const time = async (template: PictureTemplate, caption?: string) => {
      const t0 = performance.now();
      await composeImage(files, 'grid', { ...template, caption: caption ?? template.caption });
      return performance.now() - t0;
    };
    await time(PLAIN_TEMPLATE);
    await time(branded);
    const plain: number[] = [];
    const full: number[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < runs; i++) {
      plain.push(await time(PLAIN_TEMPLATE));
      full.push(await time(branded));
      // A caption never drawn before (not in the caption cache): what the first picture pays.
      fresh.push(await time(branded, `Anna & Max · run ${i}`));
    }
    const pm = median(plain);
    const fm = median(full);
    const nm = median(fresh);

    // --- the preview as the operator types a caption.
    const preview = async (caption: string) => {
      const t0 = performance.now();
      const r = await api(`/api/events/${event.id}/preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ layout: 'grid', caption }),
      });
      const body = Buffer.from(await r.arrayBuffer());
      if (r.status !== 200 || r.headers.get('content-type') !== 'image/jpeg' || body.length < 10_000)
        throw new Error(`preview: ${r.status}`);
      return performance.now() - t0;
    };
    await preview('warm-up');
    const typed = 'Anna & Max · 26.11.2026 · Moscow';
    const lat: number[] = [];
    for (let i = 0; i < previews; i++) lat.push(await preview(typed.slice(0, 4 + (i % (typed.length - 3)))));
    const p50 = percentile(lat, 50);
    const p95 = percentile(lat, 95);

    return {
      rows: [
        {
          id: 'B7',
          what: 'compose with frame, caption and QR',
          value: `${fmtMs(fm)} (median of ${runs}); new caption ${fmtMs(nm)}`,
          baseline: `compose without them ${fmtMs(pm)}`,
          ratio: `${x(fm / pm)} (new caption ${x(nm / pm)})`,
          target: '≤ 1.3×',
          met: fm / pm <= 1.3 && nm / pm <= 1.3,
        },
        {
          id: 'B7',
          what: `preview latency as the operator edits (${previews} sequential, new caption each)`,
          value: `p95 ${fmtMs(p95)}, p50 ${fmtMs(p50)}`,
          baseline: '—',
          ratio: '—',
          target: 'p95 ≤ 500 ms',
          met: p95 <= 500,
        },
      ],
      details: [
        `Compose (lib/images.ts composeImage, in the bench process, alternating): grid of 5 photos from tests/fixtures/phone-exif.jpg as stored (3000 px long side), 1800×1200. "Without": white canvas, no caption, no frame, no QR. "With": theme colours, caption, an 1800×1200 PNG frame, the QR code of a take-home link.`,
        `- without: ${plain.map((v) => fmtMs(v)).join(', ')}`,
        `- with (caption drawn before, from the caption cache): ${full.map((v) => fmtMs(v)).join(', ')}`,
        `- with a caption never drawn before: ${fresh.map((v) => fmtMs(v)).join(', ')}`,
        `Preview (HTTP round trip to \`node server.mjs\`, admin token, the event framed, print_qr on, 6 sample photos, answer 1800×1200 JPEG): ${lat.map((v) => fmtMs(v)).join(', ')}`,
      ],
    };
  } finally {
    await Promise.all(servers.map((srv) => srv.stop()));
  }
}
