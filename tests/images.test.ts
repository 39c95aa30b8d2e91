import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ApiError } from '@/lib/errors';
import { normalizeImage } from '@/lib/images';
import { gridShape } from '@/lib/shared/session';
import { useTestEnv } from './support/env';
import * as img from './support/images';

useTestEnv({ MAX_INPUT_MEGAPIXELS: '40' });

describe('the photo pipeline', () => {
  it('turns the sideways phone photo upright (EXIF orientation 6) and caps the long side at 3000', async () => {
    const out = await normalizeImage(img.PHONE_EXIF_JPEG);
    expect([out.width, out.height]).toEqual([2250, 3000]);
    // The red block stored at the top-left shows at the top-right once upright.
    const corner = async (left: number, top: number) => {
      const px = await sharp(out.full).extract({ left, top, width: 50, height: 50 }).raw().toBuffer();
      const sum = [0, 0, 0];
      for (let i = 0; i < px.length; i++) sum[i % 3] = (sum[i % 3] ?? 0) + (px[i] ?? 0);
      return sum.map((v) => Math.round(v / (px.length / 3)));
    };
    const [r, g, b] = await corner(out.width - 60, 10);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
    const [r2] = await corner(10, 10);
    expect(r2).toBeLessThan(200);
  });

  it('strips every metadata block: no EXIF, no GPS, no ICC, no XMP, orientation normal', async () => {
    const input = img.phoneExifJpeg();
    const inMeta = await sharp(input).metadata();
    expect(inMeta.exif).toBeDefined(); // the fixture really carries EXIF
    expect(inMeta.orientation).toBe(6);
    const out = await normalizeImage(input);
    const meta = await sharp(out.full).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(meta.space).toBe('srgb');
    expect(out.full.includes(Buffer.from('GPS'))).toBe(false);
    expect(out.full.includes(Buffer.from('TestPhone'))).toBe(false);
    expect(out.full.includes(Buffer.from('Guest Name'))).toBe(false);
  });

  it('makes a thumbnail near 400 px and a sha256 of the stored bytes', async () => {
    const out = await normalizeImage(await img.jpeg(1600, 1200));
    const t = await sharp(out.thumb).metadata();
    expect([t.width, t.height]).toEqual([400, 300]);
    expect(out.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not enlarge small photos', async () => {
    const out = await normalizeImage(await img.jpeg(300, 200));
    expect([out.width, out.height]).toEqual([300, 200]);
  });

  it('refuses what is not an accepted image with the right code', async () => {
    const codeOf = async (input: Buffer) => {
      try {
        await normalizeImage(input);
        return 'accepted';
      } catch (err) {
        return (err as ApiError).code;
      }
    };
    expect(await codeOf(Buffer.from('plain text'))).toBe('unsupported_media_type');
    expect(await codeOf(img.svg())).toBe('unsupported_media_type');
    expect(await codeOf(await img.tiff())).toBe('unsupported_media_type');
    expect(await codeOf(img.pngBombHeader())).toBe('invalid_image');
    expect(await codeOf(await img.truncatedJpeg())).toBe('invalid_image');
  });

  it('grid shapes follow the photo count', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => gridShape(n))).toEqual([
      { cols: 1, rows: 1 },
      { cols: 2, rows: 1 },
      { cols: 2, rows: 2 },
      { cols: 2, rows: 2 },
      { cols: 3, rows: 2 },
      { cols: 3, rows: 2 },
    ]);
  });
});
