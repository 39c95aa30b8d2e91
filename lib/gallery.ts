import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  eventPicturesPage,
  eventPicturesTotal,
  findEventByHostToken,
  findEventPicture,
  setEventHostToken,
} from '@/db/queries';
import type { EventRow } from '@/db/schema';
import { ApiError } from './errors';
import { loadEvent, serializeEvent } from './event-rules';
import { type PictureJson, removePicture, serializePicture } from './pictures';

/**
 * The host gallery: one link per event (/g/<token>), a capability the admin hands to the host.
 *
 * - The token is 24 random bytes (192 bits, 32 characters of A-Za-z0-9_-), stored on the event
 *   (`events.host_token`, unique). It is made lazily on the first GET of the host link; a rotate
 *   (POST) replaces it, so the old link answers 404 gallery_not_found from the next request on.
 * - The host sees the event's live (not expired) pictures newest first, may remove one (only of
 *   this event: another event's picture id is 404 picture_not_found), download all as a ZIP
 *   (lib/gallery-zip.ts) and follow new ones live (the gallery's event stream).
 */

const TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

export const GALLERY_PAGE_DEFAULT = 50;
export const GALLERY_PAGE_MAX = 200;

export function newHostToken(): string {
  return randomBytes(24).toString('base64url');
}

export function galleryPath(token: string): string {
  return `/g/${token}`;
}

export interface HostLinkJson {
  url: string;
  token: string;
}

/** GET /api/events/:id/host-link: the event's host link, made now when it has none. */
export async function hostLinkOf(eventId: string, baseUrl: string): Promise<HostLinkJson> {
  let event = await loadEvent(eventId);
  if (!event.hostToken) {
    // Two first GETs at once: only one token is written, both answer it.
    await setEventHostToken(event.id, newHostToken(), true);
    event = await loadEvent(event.id);
  }
  const token = event.hostToken as string;
  return { url: `${baseUrl}${galleryPath(token)}`, token };
}

/** POST /api/events/:id/host-link: a new link; the old one stops working at once. */
export async function rotateHostLink(eventId: string, baseUrl: string): Promise<HostLinkJson> {
  const event = await loadEvent(eventId);
  const token = newHostToken();
  await setEventHostToken(event.id, token);
  return { url: `${baseUrl}${galleryPath(token)}`, token };
}

/** The event of a host link; unknown, rotated or malformed: 404 gallery_not_found. */
export async function loadGallery(token: string): Promise<EventRow> {
  const event = TOKEN_RE.test(token) ? await findEventByHostToken(token) : undefined;
  if (!event) {
    throw new ApiError(
      'gallery_not_found',
      'No such gallery. The link may be mistyped or replaced by a new one.',
    );
  }
  return event;
}

/** What the host may see of the event: its name, dates and theme, nothing else. */
export function serializeGalleryEvent(e: EventRow) {
  const full = serializeEvent(e);
  return { name: full.name, starts_at: full.starts_at, ends_at: full.ends_at, theme: full.theme };
}

export const galleryQuerySchema = z
  .object({
    before: z.iso.datetime({ offset: true }).optional(),
    before_id: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(GALLERY_PAGE_MAX).optional(),
  })
  .strict()
  .refine((q) => !q.before_id || q.before, {
    message: '"before_id" needs "before" (pass both of next_before and next_before_id).',
    path: ['before_id'],
  });

export interface GalleryPage {
  event: ReturnType<typeof serializeGalleryEvent>;
  pictures: PictureJson[];
  /** Pass as `before` for the next (older) page; null when this page is the last. */
  next_before: string | null;
  /** Pass as `before_id` with `before`: the exact (created_at, id) cursor; null on the last page. */
  next_before_id: string | null;
  /** All live pictures of the event: how many and their bytes (the "Download all" button). */
  total: { count: number; bytes: number };
}

/** GET /api/gallery/:token: a page of the event's live pictures, newest first. */
export async function galleryPage(
  event: EventRow,
  baseUrl: string,
  query: { before?: string; before_id?: string; limit?: number },
  now = new Date(),
): Promise<GalleryPage> {
  const limit = query.limit ?? GALLERY_PAGE_DEFAULT;
  const before = query.before ? new Date(query.before) : undefined;
  // One more than asked: whether there is a next page at all.
  const beforeId = before ? query.before_id?.toLowerCase() : undefined;
  const rows = await eventPicturesPage(event.id, { before, beforeId, limit: limit + 1, now });
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page.at(-1) : undefined;
  return {
    event: serializeGalleryEvent(event),
    pictures: page.map((p) => serializePicture(p, baseUrl)),
    next_before: last ? last.createdAt.toISOString() : null,
    next_before_id: last ? last.id : null,
    total: await eventPicturesTotal(event.id, now),
  };
}

/** DELETE /api/gallery/:token/pictures/:id: the host removes one of the event's pictures. */
export async function deleteGalleryPicture(event: EventRow, pictureId: string): Promise<void> {
  const picture = z.uuid().safeParse(pictureId).success
    ? await findEventPicture(event.id, pictureId.toLowerCase())
    : undefined;
  if (!picture || (await removePicture(picture, undefined, { withResult: true })) < 0) {
    throw new ApiError('picture_not_found', 'No such picture in this gallery.');
  }
}
