import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/** Test images made at run time (nothing big is committed). */

export const PHONE_EXIF_JPEG = path.resolve(__dirname, '..', '..', 'tests', 'fixtures', 'phone-exif.jpg');

/**
 * A "12 MP phone photo": 4032×3024 with Gaussian noise over a gradient (noise is what makes real
 * sensor output large and slow to encode), EXIF with orientation 6 and camera tags.
 * `sigma` tunes the size: ~24 gives about 6–7 MB, ~40 about 10 MB at quality 92.
 */
export async function makePhoneJpeg(
  file: string,
  opts: { sigma?: number; quality?: number } = {},
): Promise<number> {
  const width = 4032;
  const height = 3024;
  const noise = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 0, g: 0, b: 0 },
      noise: { type: 'gaussian', mean: 128, sigma: opts.sigma ?? 24 },
    },
  })
    .raw()
    .toBuffer();
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1d4ed8"/><stop offset="1" stop-color="#f59e0b"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
  );
  await sharp(noise, { raw: { width, height, channels: 3 } })
    .composite([{ input: gradient, blend: 'soft-light' }])
    .withExif({ IFD0: { Make: 'BenchPhone', Model: 'Noise 12', Software: 'bench' } })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: opts.quality ?? 92, chromaSubsampling: '4:2:0' })
    .toFile(file);
  return fs.statSync(file).size;
}

/** Pure camera noise as a JPEG: a 3000×2000 one at quality 90 is about 4 MB (nothing to compress). */
export function noiseJpeg(width = 3000, height = 2000, quality = 90): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 50 },
    },
  })
    .jpeg({ quality })
    .toBuffer();
}

/** A small phone-like JPEG (about 40 KB), for the request-rate benchmarks. */
export function smallJpeg(width = 640, height = 480): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 0, g: 0, b: 0 },
      noise: { type: 'gaussian', mean: 128, sigma: 12 },
    },
  })
    .composite([
      {
        input: Buffer.from(
          `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><circle cx="${width / 2}" cy="${height / 2}" r="${height / 3}" fill="#fff"/></svg>`,
        ),
      },
    ])
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** A multipart/form-data body with one file in field `photo`, as a phone browser sends it. */
export function multipartBody(file: Buffer, filename = 'photo.jpg'): { body: Buffer; contentType: string } {
  const boundary = `----pbbench${randomUUID().replace(/-/g, '')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, file, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
