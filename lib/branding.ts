import path from 'node:path';
import { DEFAULT_THEME } from '@/db/default-event';
import { transaction, updateEventRow } from '@/db/queries';
import type { EventRow } from '@/db/schema';
import { ApiError } from './errors';
import { loadEvent } from './event-rules';
import {
  composeImage,
  type ImageSource,
  type Layout,
  type NormalizedImage,
  normalizeFrame,
  type PictureTemplate,
} from './images';
import {
  assertDiskRoom,
  frameExists,
  readFrameBuffer,
  removeFrameFile,
  storageError,
  storeFrameFile,
} from './storage';

/**
 * An event's branding on its finished pictures: the template compose draws (theme, caption,
 * frame, QR), the frame's upload and removal, and the preview the admin sees while editing.
 * Compose (lib/photos.ts) and the preview render through the one function renderEventPicture.
 */

export interface PictureOptions {
  /** The caption asked for: a string (empty: none) or null (none); undefined takes the event's. */
  caption?: string | null;
  /** The picture's take-home link; printed as a QR code only when the event's print_qr is on. */
  qrUrl?: string | null;
}

/** The event's frame for compose: read from the blob store when drawn (and cached by its key). */
function frameOf(frameKey: string | null): PictureTemplate['frame'] {
  return frameKey ? { key: frameKey, source: () => readFrameBuffer(frameKey) } : null;
}

/** The template of an event's pictures. */
export function templateForEvent(event: EventRow, opts: PictureOptions = {}): PictureTemplate {
  const caption = opts.caption === undefined ? event.caption : opts.caption;
  return {
    theme: { ...DEFAULT_THEME, ...event.theme },
    caption: caption?.trim() || null,
    frame: frameOf(event.frameKey),
    qrUrl: event.printQr ? opts.qrUrl || null : null,
  };
}

/**
 * Renders an event's picture from these photo files, exactly as compose does. When the admin
 * replaced or removed the frame while it was read (the old file is gone), it renders once more with
 * the event as it is now; an event deleted meanwhile is 404, a frame file lost from under its event
 * 507 storage_unavailable (never a bare 500).
 */
export async function renderEventPicture(
  event: EventRow,
  files: ImageSource[],
  layout: Layout,
  opts: PictureOptions = {},
): Promise<NormalizedImage> {
  try {
    return await composeImage(files, layout, templateForEvent(event, opts));
  } catch (err) {
    if (err instanceof ApiError || !event.frameKey) throw err;
    const now = await loadEvent(event.id);
    if (now.frameKey !== event.frameKey) return composeImage(files, layout, templateForEvent(now, opts));
    if (!(await frameExists(event.frameKey))) throw storageError(err);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The frame.

/**
 * Stores a new frame for the event (415 / 422 invalid_image as for photos, 422 invalid_frame when
 * nothing of it is transparent) and removes the one it replaces. Unknown event: 404.
 */
export async function setEventFrame(eventId: string, input: Buffer | string): Promise<EventRow> {
  const event = await loadEvent(eventId);
  assertDiskRoom();
  const frame = await normalizeFrame(input);
  const key = await storeFrameFile(event.id, frame.png);
  let replaced: string | null = null;
  let updated: EventRow;
  try {
    updated = await transaction(async () => {
      // Deleted while the frame was read: 404, and the new file goes.
      const current = await loadEvent(event.id);
      replaced = current.frameKey;
      await updateEventRow(current.id, { frameKey: key, updatedAt: new Date() });
      return await loadEvent(current.id);
    });
  } catch (err) {
    await removeFrameFile(key);
    throw err;
  }
  if (replaced) await removeFrameFile(replaced);
  return updated;
}

/** Removes the event's frame (a no-op when it has none). */
export async function removeEventFrame(eventId: string): Promise<EventRow> {
  let removed: string | null = null;
  const updated = await transaction(async () => {
    const current = await loadEvent(eventId);
    removed = current.frameKey;
    if (removed) await updateEventRow(current.id, { frameKey: null, updatedAt: new Date() });
    return await loadEvent(current.id);
  });
  if (removed) await removeFrameFile(removed);
  return updated;
}

// ---------------------------------------------------------------------------------------------
// The preview: the event's template with the bundled sample photos (assets/samples/).

export const SAMPLES_DIR = path.join(process.cwd(), 'assets', 'samples');
export const SAMPLE_FILES = [1, 2, 3, 4, 5, 6].map((i) => path.join(SAMPLES_DIR, `sample-${i}.jpg`));

/** The link printed as the preview's QR code (when the event prints one): no picture has it. */
export function previewQrUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/$/, '')}/p/preview`;
}

/** The event's picture as compose would make it, from the sample photos. */
export function renderPreview(
  event: EventRow,
  layout: Layout,
  opts: { caption?: string | null; baseUrl: string },
): Promise<NormalizedImage> {
  return renderEventPicture(event, SAMPLE_FILES, layout, {
    caption: opts.caption,
    qrUrl: previewQrUrl(opts.baseUrl),
  });
}
