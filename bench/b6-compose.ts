import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { gridShape } from '@/lib/shared/session';
import { createSession, uploadPhoto } from './lib/api';
import { PHONE_EXIF_JPEG } from './lib/images';
import { type BenchContext, type BenchResult, x } from './lib/report';
import { boothAuth, type RunningServer, startProduct } from './lib/servers';
import { fmtMs, median } from './lib/util';

/**
 * B6: POST /compose (grid of 5 phone photos with a caption, print size 1800×1200) answered 201,
 * against sharp alone resizing the same 5 stored photos to the grid's cells (in this process).
 */

const CANVAS = { width: 1800, height: 1200 };
const GAP = 24;
const CAPTION_H = 150;

function cellSize(n: number) {
  const { cols, rows } = gridShape(n);
  const areaW = CANVAS.width - 2 * GAP;
  const areaH = CANVAS.height - 2 * GAP - CAPTION_H;
  return {
    width: Math.floor((areaW - (cols - 1) * GAP) / cols),
    height: Math.floor((areaH - (rows - 1) * GAP) / rows),
  };
}

export async function runB6(ctx: BenchContext): Promise<BenchResult> {
  const runs = ctx.quick ? 3 : 7;
  const dataDir = path.join(ctx.tmp, 'b6-product');
  const servers: RunningServer[] = [];
  try {
    const product = await startProduct({ dataDir });
    servers.push(product);
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
    const cell = cellSize(files.length);

    const compose = async () => {
      const t0 = performance.now();
      const r = await fetch(`${product.url}/api/session/${id}/compose`, {
        method: 'POST',
        headers: { ...boothAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ layout: 'grid', caption: 'Anna & Max · 26.11.2026' }),
      });
      await r.arrayBuffer();
      if (r.status !== 201) throw new Error(`compose: ${r.status}`);
      return performance.now() - t0;
    };
    const resizeAlone = async () => {
      const t0 = performance.now();
      await Promise.all(
        files.map((f) =>
          sharp(f)
            .resize({ ...cell, fit: 'cover', position: 'attention' })
            .toBuffer(),
        ),
      );
      return performance.now() - t0;
    };
    await compose();
    await resizeAlone();
    const c: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < runs; i++) {
      c.push(await compose());
      s.push(await resizeAlone());
    }
    const cm = median(c);
    const sm = median(s);
    return {
      rows: [
        {
          id: 'B6',
          what: 'compose: grid of 5 phone photos + caption',
          value: `${fmtMs(cm)} (median of ${runs})`,
          baseline: `sharp resizing the 5 alone ${fmtMs(sm)}`,
          ratio: x(cm / sm),
          target: '≤ 800 ms; report the ratio',
          met: cm <= 800,
        },
      ],
      details: [
        `5 photos from tests/fixtures/phone-exif.jpg (4032×3024, EXIF orientation 6), stored normalized (3000 px long side); cells ${cell.width}×${cell.height}, canvas ${CANVAS.width}×${CANVAS.height}.`,
        `- compose (HTTP round trip, 201): ${c.map((v) => fmtMs(v)).join(', ')}`,
        `- sharp alone, 5 resizes in parallel: ${s.map((v) => fmtMs(v)).join(', ')}`,
      ],
    };
  } finally {
    await Promise.all(servers.map((srv) => srv.stop()));
  }
}
