import fs from 'node:fs';
import path from 'node:path';
import * as zlib from 'node:zlib';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Real images for the tests, made with sharp (plus the committed EXIF phone photo). */

export const PHONE_EXIF_JPEG = path.join(process.cwd(), 'tests', 'fixtures', 'phone-exif.jpg');
export const phoneExifJpeg = () => fs.readFileSync(PHONE_EXIF_JPEG);

function scene(width: number, height: number, hue = 200): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="hsl(${hue},70%,50%)"/>
    <circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#fff"/></svg>`;
  return Buffer.from(svg);
}

export const jpeg = (w = 1200, h = 900, hue = 200) =>
  sharp(scene(w, h, hue))
    .jpeg({ quality: 85 })
    .toBuffer();
export const png = (w = 640, h = 480) =>
  sharp(scene(w, h, 120))
    .png()
    .toBuffer();
export const pngWithAlpha = (w = 200, h = 200) =>
  sharp({ create: { width: w, height: h, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .png()
    .toBuffer();
export const webp = (w = 640, h = 480) =>
  sharp(scene(w, h, 30))
    .webp()
    .toBuffer();
export const avif = (w = 320, h = 240) =>
  sharp(scene(w, h, 300))
    .avif()
    .toBuffer();
export const gif = (w = 320, h = 240) =>
  sharp(scene(w, h, 60))
    .gif()
    .toBuffer();
export const tiff = (w = 320, h = 240) =>
  sharp(scene(w, h, 90))
    .tiff()
    .toBuffer();
export const svg = () => scene(300, 200);

/** A valid-looking PNG whose header claims 20000×20000 pixels (a decompression bomb). */
export function pngBombHeader(width = 20000, height = 20000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function truncatedJpeg(): Promise<Buffer> {
  const full = await jpeg(1600, 1200);
  return full.subarray(0, Math.floor(full.length / 2));
}
