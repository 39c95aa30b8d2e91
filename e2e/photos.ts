import path from 'node:path';
import sharp from 'sharp';

/**
 * Test photos made with sharp, shared by the Playwright journeys (e2e/helpers.ts) and the
 * WebKit/Firefox journeys (e2e/engines/). No browser library is imported here.
 */

/** The committed phone photo: 4032×3024 stored, EXIF orientation 6, GPS tags. */
export const PHONE_EXIF_JPEG = path.join(process.cwd(), 'tests', 'fixtures', 'phone-exif.jpg');

/** A real photo: a colourful scene made with sharp (JPEG unless told otherwise). */
export async function makePhoto(width: number, height: number, hue: number, format: 'jpeg' | 'png' = 'jpeg') {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="hsl(${hue},70%,55%)"/>
    <circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#fff"/>
    <rect x="${width / 10}" y="${height / 10}" width="${width / 5}" height="${height / 5}" fill="hsl(${(hue + 180) % 360},70%,40%)"/></svg>`;
  const img = sharp(Buffer.from(svg));
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 88 }).toBuffer();
}

/** Stored pixel size of cameraPhoto(): a 12 MP landscape sensor readout. */
export const CAMERA_STORED = { width: 4000, height: 3000 };
/** Side of the pure red square cameraPhoto() puts in the stored top-left corner. */
export const CAMERA_MARKER = 500;

/**
 * What a phone camera writes when held upright: 4000×3000 stored pixels (a gradient scene with
 * gaussian sensor noise, so it compresses like a photo, about 5 MB) plus EXIF orientation 6
 * ("rotate 90° clockwise to display") and a camera make/model. A red square sits in the stored
 * top-left corner: shown upright, it must be in the top-right corner.
 */
export async function cameraPhoto(): Promise<Buffer> {
  const { width, height } = CAMERA_STORED;
  const scene = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#f4a261"/><stop offset="0.5" stop-color="#2a9d8f"/><stop offset="1" stop-color="#264653"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>
    <circle cx="${width * 0.65}" cy="${height * 0.57}" r="${height * 0.3}" fill="#e9c46a" opacity="0.8"/>
    <rect width="${CAMERA_MARKER}" height="${CAMERA_MARKER}" fill="#ff0000"/></svg>`;
  const noise = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .png()
    .toBuffer();
  return sharp(Buffer.from(scene))
    .composite([{ input: noise, blend: 'soft-light' }])
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Apple', Model: 'iPhone 13' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}
