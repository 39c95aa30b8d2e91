import { createHash } from 'node:crypto';
import path from 'node:path';
import sharp, { type Metadata, type OutputInfo, type OverlayOptions } from 'sharp';
import { getConfig } from './config';
import { ApiError } from './errors';
import { gridShape, LAYOUT_PHOTOS, LAYOUTS, type Layout } from './shared/session';

/**
 * Every image operation of the product: normalizing an upload and composing the result.
 * Uploads are decoded (never trusted by their declared type), auto-oriented from EXIF, converted
 * to sRGB, re-encoded as JPEG with every metadata block dropped (GPS included), long side capped.
 */
export const MAX_LONG_SIDE = 3000;
export const THUMB_LONG_SIDE = 400;
const JPEG_QUALITY = 86;

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'avif']);

// libvips may use every core per image; a few images at a time bound memory and keep latency fair.
sharp.cache(false);

export interface NormalizedImage {
  full: Buffer;
  thumb: Buffer;
  width: number;
  height: number;
  sha256: string;
  contentType: 'image/jpeg';
}

/** Bounded concurrency for the heavy decode/encode work. */
class Semaphore {
  private queue: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

const g = globalThis as unknown as { __pbImageSlots?: Semaphore };
function slots(): Semaphore {
  // Each decode of a 12 MP photo holds about 100 MB; under server.mjs every worker has its own
  // queue, so it gets a share of the cores (IMAGE_CONCURRENCY) to bound the total.
  g.__pbImageSlots ??= new Semaphore(
    getConfig().imageConcurrency ?? Math.max(2, Math.min(4, sharp.concurrency())),
  );
  return g.__pbImageSlots;
}

/** Reads only the header: the format and the declared size, before any pixel is decoded. */
async function inspect(input: Buffer | string) {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw new ApiError(
      'unsupported_media_type',
      'This file is not an image we can read (JPEG, PNG, WebP, AVIF, GIF or HEIC).',
    );
  }
  const format = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format;
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new ApiError(
      'unsupported_media_type',
      `Images of type ${format ?? 'unknown'} are not accepted; send JPEG, PNG, WebP, AVIF, GIF or HEIC.`,
    );
  }
  const { maxInputPixels } = getConfig();
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (!meta.width || !meta.height)
    throw new ApiError('invalid_image', 'The image has no size; it may be corrupt.');
  if (pixels > maxInputPixels) {
    throw new ApiError(
      'invalid_image',
      `The image is ${Math.round(pixels / 1e6)} megapixels; at most ${Math.round(maxInputPixels / 1e6)} are accepted.`,
    );
  }
  return { format, meta };
}

export async function normalizeImage(input: Buffer | string): Promise<NormalizedImage> {
  const { format } = await inspect(input);
  return slots().run(async () => {
    const { maxInputPixels } = getConfig();
    let full: Buffer;
    let info: OutputInfo;
    try {
      ({ data: full, info } = await sharp(input, {
        limitInputPixels: maxInputPixels,
        failOn: 'warning',
        pages: 1,
      })
        .rotate()
        .resize({ width: MAX_LONG_SIDE, height: MAX_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toColorspace('srgb')
        .jpeg({ quality: JPEG_QUALITY, mozjpeg: false, chromaSubsampling: '4:2:0' })
        .toBuffer({ resolveWithObject: true }));
    } catch (err) {
      if (format === 'heif') {
        // sharp's prebuilt libvips reads AVIF but not HEVC-coded HEIC; iOS converts to JPEG on upload.
        throw new ApiError(
          'unsupported_media_type',
          'HEIC photos cannot be read here; send a JPEG (iPhone: Settings → Camera → Formats → Most Compatible).',
        );
      }
      throw new ApiError(
        'invalid_image',
        `The image could not be decoded: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    const thumb = await makeThumb(full);
    return {
      full,
      thumb,
      width: info.width,
      height: info.height,
      sha256: createHash('sha256').update(full).digest('hex'),
      contentType: 'image/jpeg',
    };
  });
}

function makeThumb(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg)
    .resize({ width: THUMB_LONG_SIDE, height: THUMB_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 78 })
    .toBuffer();
}

// ---------------------------------------------------------------------------------------------
// Compose: the finished picture, print-sized (6×4" at 300 dpi).

export { LAYOUTS, type Layout };

const FONT_FILE = path.join(process.cwd(), 'assets', 'fonts', 'DejaVuSans-Bold.ttf');
const BACKGROUND = '#ffffff';
const CAPTION_COLOR = '#1f2937';

interface Cell {
  left: number;
  top: number;
  width: number;
  height: number;
}

function layoutCells(
  layout: Layout,
  n: number,
  canvas: { width: number; height: number },
  captionH: number,
): Cell[] {
  const gap = 24;
  const areaW = canvas.width - 2 * gap;
  const areaH = canvas.height - 2 * gap - captionH;
  if (layout === 'single') return [{ left: gap, top: gap, width: areaW, height: areaH }];
  const { cols, rows } = layout === 'strip' ? { cols: 1, rows: n } : gridShape(n);
  const cw = Math.floor((areaW - (cols - 1) * gap) / cols);
  const ch = Math.floor((areaH - (rows - 1) * gap) / rows);
  const cells: Cell[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % cols;
    const r = Math.floor(i / cols);
    cells.push({ left: gap + c * (cw + gap), top: gap + r * (ch + gap), width: cw, height: ch });
  }
  // Center an incomplete last row (e.g. 3 photos in a 2×2 grid).
  const lastRowCount = n % cols;
  if (lastRowCount) {
    const shift = Math.floor(((cols - lastRowCount) * (cw + gap)) / 2);
    for (let i = n - lastRowCount; i < n; i++) {
      const cell = cells[i];
      if (cell) cell.left += shift;
    }
  }
  return cells;
}

function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function renderCaption(caption: string, width: number, height: number): Promise<Buffer> {
  return sharp({
    text: {
      text: `<span foreground="${CAPTION_COLOR}">${escapeMarkup(caption)}</span>`,
      font: 'DejaVu Sans Bold',
      fontfile: FONT_FILE,
      width,
      height,
      align: 'centre',
      rgba: true,
    },
  })
    .png()
    .toBuffer();
}

/**
 * Lays the photos (already normalized JPEG files) out on a white print-sized canvas:
 * grid and single are landscape 1800×1200, strip is portrait 1200×1800.
 */
export async function composeImage(
  files: string[],
  layout: Layout,
  caption?: string,
): Promise<NormalizedImage> {
  const picked = files.slice(0, LAYOUT_PHOTOS[layout]);
  const canvas = layout === 'strip' ? { width: 1200, height: 1800 } : { width: 1800, height: 1200 };
  const text = caption?.trim();
  const captionH = text ? 150 : 0;
  const cells = layoutCells(layout, picked.length, canvas, captionH);
  return slots().run(async () => {
    const layers: OverlayOptions[] = await Promise.all(
      picked.map(async (file, i) => {
        const cell = cells[i] as Cell;
        const input = await sharp(file)
          .resize({ width: cell.width, height: cell.height, fit: 'cover', position: 'attention' })
          .toBuffer();
        return { input, left: cell.left, top: cell.top };
      }),
    );
    if (text) {
      const captionImg = await renderCaption(text, canvas.width - 120, captionH - 50);
      const meta = await sharp(captionImg).metadata();
      layers.push({
        input: captionImg,
        left: Math.round((canvas.width - (meta.width ?? 0)) / 2),
        top: canvas.height - captionH + Math.round((captionH - 24 - (meta.height ?? 0)) / 2),
      });
    }
    const full = await sharp({
      create: { width: canvas.width, height: canvas.height, channels: 3, background: BACKGROUND },
    })
      .composite(layers)
      .withMetadata({ density: 300 })
      .jpeg({ quality: 90 })
      .toBuffer();
    const thumb = await makeThumb(full);
    return {
      full,
      thumb,
      width: canvas.width,
      height: canvas.height,
      sha256: createHash('sha256').update(full).digest('hex'),
      contentType: 'image/jpeg',
    };
  });
}
