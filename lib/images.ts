import { createHash } from 'node:crypto';
import path from 'node:path';
import QRCode from 'qrcode';
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
// Frames: the event's overlay, a transparent PNG laid over the finished picture.

/** Frames are stored at most this long on their long side: the print canvas's (1800 px). */
export const FRAME_LONG_SIDE = 1800;

export interface NormalizedFrame {
  png: Buffer;
  width: number;
  height: number;
}

/** A pixel whose alpha is below this (out of 255) counts as transparent: the photos show there. */
const TRANSPARENT_BELOW = 128;

/**
 * Reads an uploaded frame: the same formats and pixel limit as photos (415 / 422 invalid_image),
 * decoded and re-encoded (metadata stripped) as an sRGB PNG with alpha, long side capped at
 * FRAME_LONG_SIDE. An image without one transparent pixel (JPEG always) is 422 invalid_frame:
 * it would hide the photos.
 */
export async function normalizeFrame(input: Buffer | string): Promise<NormalizedFrame> {
  const { format, meta } = await inspect(input);
  return slots().run(async () => {
    const { maxInputPixels } = getConfig();
    let data: Buffer;
    let info: OutputInfo;
    try {
      ({ data, info } = await sharp(input, { limitInputPixels: maxInputPixels, failOn: 'warning', pages: 1 })
        .rotate()
        .resize({ width: FRAME_LONG_SIDE, height: FRAME_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
        .toColorspace('srgb')
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true }));
    } catch (err) {
      if (format === 'heif') {
        throw new ApiError('unsupported_media_type', 'HEIC frames cannot be read here; send a PNG or WebP.');
      }
      throw new ApiError(
        'invalid_image',
        `The image could not be decoded: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    let transparent = false;
    for (let i = 3; i < data.length; i += 4) {
      if ((data[i] as number) < TRANSPARENT_BELOW) {
        transparent = true;
        break;
      }
    }
    if (!transparent) {
      throw new ApiError(
        'invalid_frame',
        meta.hasAlpha
          ? 'The frame has no transparent pixel, so it would hide the photos: send a PNG or WebP with a transparent window.'
          : `A ${format.toUpperCase()} image cannot be transparent, so it would hide the photos: send a PNG or WebP with a transparent window.`,
      );
    }
    const png = await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } })
      .png({ compressionLevel: 6 })
      .toBuffer();
    return { png, width: info.width, height: info.height };
  });
}

// ---------------------------------------------------------------------------------------------
// Compose: the finished picture, print-sized (6×4" at 300 dpi), drawn from the event's template.

export { LAYOUTS, type Layout };

export interface PictureTheme {
  /** The canvas: the gaps between the photos and the caption band. */
  background: string;
  /** The caption's colour. */
  text: string;
  /** The screens' accent (booth and phone pages); not drawn on the picture. */
  accent: string;
}

/**
 * An image compose reads: a file path (the bundled sample photos) or a function reading stored
 * bytes (lib/storage.ts readPhotoBuffer, readFrameBuffer: the blob store, on disk or in a bucket).
 */
export type ImageSource = string | (() => Promise<Buffer>);

const readSource = async (source: ImageSource): Promise<string | Buffer> =>
  typeof source === 'string' ? source : source();

/** What compose draws besides the photos: an event's branding (lib/branding.ts builds it). */
export interface PictureTemplate {
  theme: PictureTheme;
  caption?: string | null;
  /** The event's frame PNG, laid over everything: `key` names it (for the cache), `source` reads it. */
  frame?: { key: string; source: ImageSource } | null;
  /** When set, a QR code of this link is printed in the corner the frame leaves most clear. */
  qrUrl?: string | null;
}

/** No branding: white canvas, dark caption, no frame, no QR (Part 1's picture). */
export const PLAIN_TEMPLATE: PictureTemplate = {
  theme: { background: '#ffffff', text: '#1f2937', accent: '#f59e0b' },
};

const FONT_FILE = path.join(process.cwd(), 'assets', 'fonts', 'DejaVuSans-Bold.ttf');
const GAP = 24;
const CAPTION_H = 150;
/** The QR code's side with its white quiet zone, about: 15 mm at 300 dpi. */
const QR_TARGET = 184;
const QR_QUIET_MODULES = 4;
/** The corner area the frame is looked at for the QR: the largest QR with some room. */
const QR_AREA = 220;

export interface Canvas {
  width: number;
  height: number;
}

/** grid and single are landscape 1800×1200, strip is portrait 1200×1800. */
export function canvasOf(layout: Layout): Canvas {
  return layout === 'strip' ? { width: 1200, height: 1800 } : { width: 1800, height: 1200 };
}

interface Cell {
  left: number;
  top: number;
  width: number;
  height: number;
}

function layoutCells(layout: Layout, n: number, canvas: Canvas, captionH: number): Cell[] {
  const areaW = canvas.width - 2 * GAP;
  const areaH = canvas.height - 2 * GAP - captionH;
  if (layout === 'single') return [{ left: GAP, top: GAP, width: areaW, height: areaH }];
  const { cols, rows } = layout === 'strip' ? { cols: 1, rows: n } : gridShape(n);
  const cw = Math.floor((areaW - (cols - 1) * GAP) / cols);
  const ch = Math.floor((areaH - (rows - 1) * GAP) / rows);
  const cells: Cell[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % cols;
    const r = Math.floor(i / cols);
    cells.push({ left: GAP + c * (cw + GAP), top: GAP + r * (ch + GAP), width: cw, height: ch });
  }
  // Center an incomplete last row (e.g. 3 photos in a 2×2 grid).
  const lastRowCount = n % cols;
  if (lastRowCount) {
    const shift = Math.floor(((cols - lastRowCount) * (cw + GAP)) / 2);
    for (let i = n - lastRowCount; i < n; i++) {
      const cell = cells[i];
      if (cell) cell.left += shift;
    }
  }
  return cells;
}

/** The cells a layout puts n photos in (for tests and the booth's preview of the layout). */
export function pictureCells(layout: Layout, n: number, opts: { caption: boolean }): Cell[] {
  return layoutCells(
    layout,
    Math.min(n, LAYOUT_PHOTOS[layout]),
    canvasOf(layout),
    opts.caption ? CAPTION_H : 0,
  );
}

function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A small least-recently-used cache (Map keeps insertion order). */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  delete(key: string, v: V): void {
    if (this.map.get(key) === v) this.map.delete(key);
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}

interface Rendered {
  input: Buffer;
  width: number;
  height: number;
}

const gc = globalThis as unknown as {
  __pbCaptions?: Lru<Promise<Rendered>>;
  __pbFrames?: Lru<Promise<FrameLayer>>;
};
const captionCache = () => (gc.__pbCaptions ??= new Lru(32));
const frameCache = () => (gc.__pbFrames ??= new Lru(4));

/** The caption as a PNG, the given colour (a #rrggbb the event validation let through), centred. */
function renderCaption(caption: string, colour: string, width: number, height: number): Promise<Rendered> {
  const key = JSON.stringify([caption, colour, width, height]);
  let hit = captionCache().get(key);
  if (!hit) {
    hit = (async () => {
      const { data, info } = await sharp({
        text: {
          text: `<span foreground="${/^#[0-9a-fA-F]{6}$/.test(colour) ? colour : '#000000'}">${escapeMarkup(caption)}</span>`,
          font: 'DejaVu Sans Bold',
          fontfile: FONT_FILE,
          width,
          height,
          align: 'centre',
          rgba: true,
        },
      })
        .png()
        .toBuffer({ resolveWithObject: true });
      return { input: data, width: info.width, height: info.height };
    })();
    const made = hit;
    made.catch(() => captionCache().delete(key, made));
    captionCache().set(key, made);
  }
  return hit;
}

type Corner = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
/** Where the QR goes when several corners are equally clear: bottom-right first. */
const CORNERS: Corner[] = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];

interface FrameLayer {
  /** The frame scaled to the canvas (fit fill), raw RGBA. */
  data: Buffer;
  /** The mean alpha (0–255) of the frame over each corner's QR area. */
  cornerAlpha: Record<Corner, number>;
}

function cornerBox(corner: Corner, canvas: Canvas, side: number): { left: number; top: number } {
  const left = corner.endsWith('right') ? canvas.width - GAP - side : GAP;
  const top = corner.startsWith('bottom') ? canvas.height - GAP - side : GAP;
  return { left, top };
}

function loadFrame(frame: { key: string; source: ImageSource }, canvas: Canvas): Promise<FrameLayer> {
  const key = `${frame.key}|${canvas.width}x${canvas.height}`;
  let hit = frameCache().get(key);
  if (!hit) {
    hit = (async () => {
      const data = await sharp(await readSource(frame.source))
        .resize({ width: canvas.width, height: canvas.height, fit: 'fill' })
        .ensureAlpha()
        .raw()
        .toBuffer();
      const cornerAlpha = {} as Record<Corner, number>;
      for (const corner of CORNERS) {
        const { left, top } = cornerBox(corner, canvas, QR_AREA);
        let sum = 0;
        for (let y = top; y < top + QR_AREA; y++) {
          for (let x = left; x < left + QR_AREA; x++) sum += data[(y * canvas.width + x) * 4 + 3] as number;
        }
        cornerAlpha[corner] = sum / (QR_AREA * QR_AREA);
      }
      return { data, cornerAlpha };
    })();
    // A failed read (file gone) is not kept: the next compose tries again.
    const made = hit;
    made.catch(() => frameCache().delete(key, made));
    frameCache().set(key, made);
  }
  return hit;
}

/** The corner whose frame pixels are most transparent; bottom-right on a tie or without a frame. */
function qrCorner(frame: FrameLayer | undefined): Corner {
  if (!frame) return 'bottom-right';
  const least = Math.min(...CORNERS.map((c) => frame.cornerAlpha[c]));
  return CORNERS.find((c) => frame.cornerAlpha[c] <= least + 2) ?? 'bottom-right';
}

/** The QR code of `url` as raw greyscale: black modules, a white quiet zone of 4 modules. */
function renderQr(url: string): Rendered {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const total = modules.size + 2 * QR_QUIET_MODULES;
  const px = Math.max(3, Math.round(QR_TARGET / total));
  const side = total * px;
  const data = Buffer.alloc(side * side * 3, 255);
  for (let r = 0; r < modules.size; r++) {
    for (let c = 0; c < modules.size; c++) {
      if (!modules.get(r, c)) continue;
      const y0 = (r + QR_QUIET_MODULES) * px;
      const x0 = (c + QR_QUIET_MODULES) * px;
      for (let y = y0; y < y0 + px; y++) data.fill(0, (y * side + x0) * 3, (y * side + x0 + px) * 3);
    }
  }
  return { input: data, width: side, height: side };
}

/**
 * Draws the finished picture: the photos (already normalized JPEGs; the first ones the
 * layout takes) cropped into their cells by sharp's attention strategy on the theme's background,
 * the caption in the theme's text colour in a band at the bottom, the frame scaled over the whole
 * canvas, and the QR code (when `qrUrl`) on top in the corner the frame leaves most clear.
 */
export async function composeImage(
  files: ImageSource[],
  layout: Layout,
  template: PictureTemplate,
): Promise<NormalizedImage> {
  const picked = files.slice(0, LAYOUT_PHOTOS[layout]);
  const canvas = canvasOf(layout);
  const text = template.caption?.trim();
  const captionH = text ? CAPTION_H : 0;
  const cells = layoutCells(layout, picked.length, canvas, captionH);
  return slots().run(async () => {
    const framePromise = template.frame ? loadFrame(template.frame, canvas) : undefined;
    const photoLayers = Promise.all(
      picked.map(async (file, i): Promise<OverlayOptions> => {
        const cell = cells[i] as Cell;
        const { data, info } = await sharp(await readSource(file))
          .resize({ width: cell.width, height: cell.height, fit: 'cover', position: 'attention' })
          .raw()
          .toBuffer({ resolveWithObject: true });
        return {
          input: data,
          raw: { width: info.width, height: info.height, channels: info.channels },
          left: cell.left,
          top: cell.top,
        };
      }),
    );
    const frame = await framePromise;
    const qr = template.qrUrl ? renderQr(template.qrUrl) : undefined;
    const corner = qr ? qrCorner(frame) : undefined;
    const layers: OverlayOptions[] = await photoLayers;
    if (text) {
      // Keep the caption clear of a QR code in a bottom corner (it stays centred).
      const side = qr && corner?.startsWith('bottom') ? qr.width + GAP : 0;
      const caption = await renderCaption(
        text,
        template.theme.text,
        canvas.width - 120 - 2 * side,
        captionH - 50,
      );
      layers.push({
        input: caption.input,
        left: Math.round((canvas.width - caption.width) / 2),
        top: canvas.height - captionH + Math.round((captionH - GAP - caption.height) / 2),
      });
    }
    if (frame) {
      layers.push({
        input: frame.data,
        raw: { width: canvas.width, height: canvas.height, channels: 4 },
        left: 0,
        top: 0,
      });
    }
    if (qr && corner) {
      layers.push({
        input: qr.input,
        raw: { width: qr.width, height: qr.height, channels: 3 },
        ...cornerBox(corner, canvas, qr.width),
      });
    }
    const full = await sharp({
      create: {
        width: canvas.width,
        height: canvas.height,
        channels: 3,
        background: template.theme.background,
      },
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
