import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { dialect, isDatabaseUnavailable } from '@/db/connection';
import {
  countPhotos,
  countUploadSlots,
  deletePhotoRow,
  deleteResults,
  deleteUploadSlot,
  findPhoto,
  findPhotoByTelegramUpdate,
  findResult,
  findSession,
  insertPhoto,
  insertUploadSlot,
  listPhotos,
  nextOrderIndex,
  type SessionWithCounts,
  transaction,
  writeSessionChange,
} from '@/db/queries';
import type { EventRow, PhotoRow, PhotoType } from '@/db/schema';
import type { Caller } from './auth';
import { renderEventPicture } from './branding';
import { ApiError } from './errors';
import { loadEvent } from './event-rules';
import { countEvent } from './event-stats';
import { publish } from './events';
import { type Layout, type NormalizedImage, normalizeImage } from './images';
import { publishGalleryChange } from './pg-bus';
import { commitPicture, planTakeHome, preparePicture, type TakeHome } from './pictures';
import type { Role } from './roles';
import {
  expiredError,
  isExpired,
  isUuid,
  loadLiveSession,
  loadSession,
  statusAfterRemoval,
  statusAfterResult,
  statusAfterUpload,
} from './sessions';
import { photoProgress } from './shared/session';
import type { PhotoJson } from './shared/wire';
import {
  assertDiskRoom,
  readPhotoBuffer,
  removePhotoFiles,
  removePictureFiles,
  storageError,
  storePhotoFiles,
  type Variant,
} from './storage';

/**
 * Photos: who may add one, the photo limit, order, storage, and the result.
 * The limit and order_index are decided inside one transaction after the bytes are durably
 * stored (SQLite: an exclusive write transaction; PostgreSQL: the session's row locked first, see
 * findSession), so concurrent uploads, on any instance, can neither exceed the limit nor share an
 * index, and an upload that fails at any step takes no slot and leaves no file or object.
 */

export type { PhotoJson };

export function serializePhoto(p: PhotoRow): PhotoJson {
  const url = `/api/session/${p.sessionId}/photos/${p.id}`;
  return {
    id: p.id,
    session_id: p.sessionId,
    photo_type: p.photoType,
    order_index: p.orderIndex,
    content_type: p.contentType,
    width: p.width,
    height: p.height,
    bytes: p.bytes,
    telegram_file_id: p.telegramFileId ?? null,
    created_at: p.createdAt.toISOString(),
    url,
    thumb_url: `${url}?variant=thumb`,
  };
}

/**
 * Checks that a role may upload to this session now: `inFlight` counts the slots that other
 * uploads hold. Called when the slot is reserved (before the body is read, so a full session is
 * refused at once) and again inside the committing transaction.
 */
export function assertCanUpload(session: SessionWithCounts, role: Role, inFlight = 0): void {
  if (isExpired(session)) throw expiredError(session);
  if (role === 'guest' && session.type !== 'upload') {
    throw new ApiError('forbidden', 'Photos can only be added to this session by the booth.');
  }
  if (session.status === 'completed') {
    throw new ApiError('session_closed', 'This session is finished; no more photos can be added.');
  }
  // The session's own limits (its event's when it was made), counting the photos on their way.
  const { maxPhotos: maxUploadedPhotos, readyAt } = session;
  if (photoProgress(session.photoCount + inFlight, readyAt, maxUploadedPhotos).full) {
    throw new ApiError(
      'photo_limit_reached',
      session.photoCount >= maxUploadedPhotos
        ? `This session already has ${maxUploadedPhotos} photos, the most it can take.`
        : `This session's last photo slots are taken by photos being sent right now (at most ${maxUploadedPhotos}).`,
    );
  }
}

/**
 * Whether this upload must carry the guest's consent: a guest's upload (not the booth's, not the
 * admin's) to a session whose event has a consent text. The Telegram bot asks in the chat itself
 * and calls addUploadedPhoto directly, so this check is the web upload's.
 */
export async function consentNeeded(
  session: Pick<SessionWithCounts, 'eventId'>,
  role: Role,
): Promise<boolean> {
  if (role !== 'guest') return false;
  return Boolean((await loadEvent(session.eventId)).consentText?.trim());
}

/** 403 consent_required unless the upload said the event's consent text was accepted. */
export function assertConsent(needed: boolean, given: boolean): void {
  if (needed && !given) {
    throw new ApiError(
      'consent_required',
      'This event asks guests to accept its consent text before uploading: send "consent" = "yes" (form) or "consent": true (JSON).',
    );
  }
}

/** How long a slot is held at most: far longer than an upload may take (see lib/upload.ts). */
const SLOT_TTL_MS = 10 * 60_000;

export interface UploadSlot {
  id: string;
  sessionId: string;
}

/**
 * Takes one of the session's photo slots for an upload about to be read and decoded, or throws
 * (409 photo_limit_reached, 410, 403 ...). Always release it (releaseUploadSlot) when done.
 */
export async function reserveUploadSlot(
  sessionId: string,
  role: Role,
  now = new Date(),
): Promise<UploadSlot> {
  return await transaction(async () => {
    const session = await loadLiveSession(sessionId);
    assertCanUpload(session, role, await countUploadSlots(session.id, now));
    assertDiskRoom();
    const id = randomUUID();
    await insertUploadSlot(id, session.id, new Date(now.getTime() + SLOT_TTL_MS));
    return { id, sessionId: session.id };
  });
}

/** Gives a slot back (a no-op once its photo committed). */
export async function releaseUploadSlot(slot: UploadSlot, attempt = 0): Promise<void> {
  try {
    await deleteUploadSlot(slot.id);
  } catch (err) {
    // The database may be what failed the upload (restarting, unreachable): try again in the
    // background, 1, 2, 4 … 32 s later (a slot left holds one of the session's places), then
    // leave it to the slot's expiry.
    console.error(`[photos] could not release upload slot ${slot.id}: ${(err as Error).message}`);
    if (attempt < 6) {
      setTimeout(() => void releaseUploadSlot(slot, attempt + 1), 1000 * 2 ** attempt).unref();
    }
  }
}

export interface TelegramOrigin {
  telegramFileId?: string | null;
  /** The Telegram update that brought the photo: at most one photo is stored per update. */
  telegramUpdateId?: number | null;
}

/**
 * Stores the files, then runs `commit` in one transaction with the row to insert. `commit` may
 * instead return a photo that is already there (the same Telegram update, processed again): that
 * photo is the answer, nothing is inserted and the new files are removed.
 */
async function storeAndCommit(
  sessionId: string,
  image: NormalizedImage,
  photoType: PhotoType,
  commit: (session: SessionWithCounts, row: PhotoRow) => Promise<PhotoRow | undefined>,
  origin: TelegramOrigin = {},
): Promise<{ photo: PhotoRow; session: SessionWithCounts; duplicate: boolean }> {
  const id = randomUUID();
  const storageKey = `${sessionId}/${id}`;
  const undo = await storePhotoFiles(storageKey, image.full, image.thumb);
  let committed: { photo: PhotoRow; duplicate: boolean };
  try {
    committed = await transaction(async () => {
      const session = await findSession(sessionId);
      if (!session)
        throw new ApiError('session_not_found', 'The session was deleted while the photo was being sent.');
      const row: PhotoRow = {
        id,
        sessionId,
        photoType,
        orderIndex: 0,
        contentType: image.contentType,
        width: image.width,
        height: image.height,
        bytes: image.full.length,
        thumbBytes: image.thumb.length,
        sha256: image.sha256,
        storageKey,
        telegramFileId: origin.telegramFileId ?? null,
        telegramUpdateId: origin.telegramUpdateId ?? null,
        createdAt: new Date(),
      };
      const existing = await commit(session, row);
      return existing ? { photo: existing, duplicate: true } : { photo: row, duplicate: false };
    });
  } catch (err) {
    // A lost connection may come after PostgreSQL committed (the answer is what got lost): the
    // files then belong to a row. While the database cannot answer they stay; the orphan sweep
    // removes them if no row came of it (lib/cleanup.ts). SQLite's refusals are certain: undone.
    if (!(dialect() === 'pg' && isDatabaseUnavailable(err))) await undo();
    throw err;
  }
  const { photo, duplicate } = committed;
  if (duplicate) {
    await undo();
    return { photo, session: (await findSession(photo.sessionId)) as SessionWithCounts, duplicate };
  }
  // Committed: from here on the files are the row's, whatever fails next. The streams are told
  // even if the session cannot be read back now (they read the change log themselves).
  const session = await findSession(sessionId).catch((err: unknown) => {
    publish({ kind: 'changed', sessionId });
    throw err;
  });
  publish({ kind: 'changed', sessionId, version: session?.version });
  return { photo, session: session as SessionWithCounts, duplicate };
}

/**
 * Decodes, stores and commits an uploaded photo in the slot the caller reserved; without one it
 * reserves (and releases) its own before decoding.
 */
export async function addUploadedPhoto(
  sessionId: string,
  input: Buffer | string,
  role: Role,
  opts: TelegramOrigin & { slot?: UploadSlot } = {},
): Promise<{ photo: PhotoRow; session: SessionWithCounts; duplicate: boolean }> {
  const slot = opts.slot ?? (await reserveUploadSlot(sessionId, role));
  try {
    const image = await normalizeImage(input);
    return await storeAndCommit(
      slot.sessionId,
      image,
      'uploaded',
      async (session, row) => {
        // Checked in the committing transaction: two attempts at one update cannot both insert.
        const already =
          row.telegramUpdateId === null ? undefined : await findPhotoByTelegramUpdate(row.telegramUpdateId);
        if (already) return already;
        assertCanUpload(session, role, await countUploadSlots(session.id, new Date(), slot.id));
        await deleteUploadSlot(slot.id);
        row.orderIndex = await nextOrderIndex(session.id, 'uploaded');
        await insertPhoto(row);
        await countEvent(session.eventId, 'photos_uploaded', { at: row.createdAt });
        const status = statusAfterUpload(session, await countPhotos(session.id, 'uploaded'));
        await writeSessionChange(session.id, { status, updatedAt: row.createdAt });
        return undefined;
      },
      opts,
    );
  } finally {
    if (!opts.slot) await releaseUploadSlot(slot);
  }
}

function assertCanSaveResult(session: SessionWithCounts): void {
  if (isExpired(session)) throw expiredError(session);
}

async function saveResultImage(
  sessionId: string,
  image: NormalizedImage,
  telegramFileId?: string | null,
  takeHome?: Pick<TakeHome, 'token' | 'reused'>,
) {
  const replaced: PhotoRow[] = [];
  // PICTURES: the take-home picture's own files are written first; its row is made or updated
  // in the result's transaction, before the session change (so picture_url is in the change log).
  const picture = await preparePicture(
    await loadSession(sessionId),
    image,
    takeHome?.token,
    takeHome?.reused,
  );
  const staleKeys: string[] = [];
  let out: Awaited<ReturnType<typeof storeAndCommit>>;
  try {
    out = await storeAndCommit(
      sessionId,
      image,
      'result',
      async (session, row) => {
        assertCanSaveResult(session);
        replaced.push(...(await deleteResults(sessionId)));
        row.orderIndex = 0;
        await insertPhoto(row);
        staleKeys.push(...(await commitPicture(sessionId, picture, row)));
        await writeSessionChange(sessionId, { status: statusAfterResult(session), updatedAt: row.createdAt });
        return undefined;
      },
      { telegramFileId },
    );
  } catch (err) {
    await picture?.undo();
    throw err;
  }
  await Promise.all([
    ...replaced.map((p) => removePhotoFiles(p.storageKey)),
    ...staleKeys.map((k) => removePictureFiles(k)),
  ]);
  // The event's gallery and slideshow show the new picture at once (on every instance).
  if (picture) publishGalleryChange(out.session.eventId);
  return out;
}

export async function saveResult(
  sessionId: string,
  input: Buffer | string,
  opts: { telegramFileId?: string | null } = {},
) {
  assertDiskRoom();
  const image = await normalizeImage(input);
  return saveResultImage(sessionId, image, opts.telegramFileId);
}

export interface ComposeOptions {
  /** The base of take-home links (baseUrlFor(request)): the picture's QR carries its link. */
  baseUrl?: string;
  /** A QR link to print instead of the take-home link (tests, previews). */
  qrUrl?: string | null;
}

/**
 * The event of a session just read. An event is deleted with its sessions, so an event gone here
 * was deleted since the session was read: the session is gone too, and that is the answer (404
 * session_not_found), not event_not_found.
 */
/** No photos to compose: 409, unless the session went meanwhile (its photos with it): then 404. */
async function noPhotos(sessionId: string): Promise<never> {
  await loadSession(sessionId);
  throw new ApiError('no_photos', 'There are no photos in this session to make a picture from.');
}

async function eventOfSession(session: { id: string; eventId: string }): Promise<EventRow> {
  try {
    return await loadEvent(session.eventId);
  } catch (err) {
    await loadSession(session.id);
    throw err;
  }
}

/**
 * Composes the session's picture from its uploaded photos with its event's template: the theme,
 * the caption (the one given, else the event's; null or '' for none), the frame, and a QR code of
 * `opts.qrUrl` (the take-home link) when the event's print_qr is on.
 */
export async function composeResult(
  sessionId: string,
  requested: Layout | undefined,
  caption?: string | null,
  opts: ComposeOptions = {},
) {
  const session = await loadLiveSession(sessionId);
  assertDiskRoom();
  const photos = await listPhotos(session.id, 'uploaded');
  if (photos.length === 0) await noPhotos(session.id);
  const files = photos.map((p) => () => readPhotoBuffer(p.storageKey, 'full'));
  const event = await eventOfSession(session);
  const layout = requested ?? event.layouts[0] ?? 'grid';
  if (!event.layouts.includes(layout))
    throw new ApiError('invalid_layout', `This event offers these layouts: ${event.layouts.join(', ')}.`);
  // The picture's token is chosen before composing, so the printed QR carries its take-home link.
  const takeHome = await planTakeHome(session, opts.baseUrl);
  const qrUrl = opts.qrUrl ?? takeHome?.qrUrl ?? null;
  let image: NormalizedImage;
  try {
    // (A frame replaced under it is handled there: it renders once more with the new one.)
    image = await renderEventPicture(event, files, layout, { caption, qrUrl });
  } catch (err) {
    // Deleted while composing, or a photo file went missing under us: say which, never a 500.
    await loadSession(session.id);
    throw err instanceof ApiError ? err : storageError(err);
  }
  return saveResultImage(session.id, image, null, takeHome ?? undefined);
}

/** The long side of the phone's preview of its picture. */
export const SESSION_PREVIEW_LONG_SIDE = 900;

/**
 * The phone's preview of the session's picture in this layout: exactly what compose would make
 * from its photos now (the event's caption, theme and frame; no QR, since the take-home link does
 * not exist yet), downscaled to a long side of 900 px, as JPEG. Nothing is stored. Layout not one
 * of the event's 400 invalid_layout; no photos 409 no_photos; expired 410.
 */
export async function renderSessionPreview(sessionId: string, layout: string): Promise<Buffer> {
  const session = await loadLiveSession(sessionId);
  const event = await eventOfSession(session);
  if (!event.layouts.includes(layout as Layout)) {
    throw new ApiError('invalid_layout', `"layout" must be one of: ${event.layouts.join(', ')}.`);
  }
  const photos = await listPhotos(session.id, 'uploaded');
  if (photos.length === 0) await noPhotos(session.id);
  const files = photos.map((p) => () => readPhotoBuffer(p.storageKey, 'full'));
  let image: NormalizedImage;
  try {
    image = await renderEventPicture(event, files, layout as Layout, { qrUrl: null });
  } catch (err) {
    // A photo deleted (or the session) while rendering: say which, never a 500.
    await loadLiveSession(session.id);
    throw err instanceof ApiError ? err : storageError(err);
  }
  return sharp(image.full)
    .resize(SESSION_PREVIEW_LONG_SIDE, SESSION_PREVIEW_LONG_SIDE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 82 })
    .toBuffer();
}

export async function getPhotos(sessionId: string, photoType?: PhotoType): Promise<PhotoRow[]> {
  return await listPhotos(sessionId, photoType);
}

/** A photo of a session that the caller may read (the session must not be expired). */
export async function loadPhoto(sessionId: string, photoId: string): Promise<PhotoRow> {
  const session = await loadLiveSession(sessionId);
  const photo = isUuid(photoId) ? await findPhoto(session.id, photoId.toLowerCase()) : undefined;
  if (!photo) throw new ApiError('photo_not_found', 'No such photo in this session.');
  return photo;
}

/**
 * DELETE /api/session/:id/photos/:photo_id: a photo sent by mistake is taken back. The guest may
 * on an upload session (else 403 forbidden) while its picture is not made (completed, or a result
 * there: 409 session_closed); the booth (and the admin) on any live session. Only uploaded photos:
 * the result is not one of them (404 photo_not_found; it goes with the session or the take-home
 * link's delete). Row and files go at once, the slot is free again (photo_count drops; a ready
 * upload session below its ready_at is pending again), and the change is written, so every live
 * stream (the booth's) is told.
 */
export async function deleteUploadedPhoto(sessionId: string, photoId: string, role: Role): Promise<void> {
  const removed = await transaction(async () => {
    const session = await loadLiveSession(sessionId);
    if (role === 'guest') {
      if (session.type !== 'upload') {
        throw new ApiError('forbidden', 'Photos of this session are handled by the booth.');
      }
      if (session.status === 'completed' || session.hasResult) {
        throw new ApiError(
          'session_closed',
          'The picture is made already; its photos cannot be taken back now.',
        );
      }
    }
    const id = isUuid(photoId) ? photoId.toLowerCase() : null;
    const photo = id ? await findPhoto(session.id, id) : undefined;
    if (photo?.photoType !== 'uploaded') {
      throw new ApiError('photo_not_found', 'No such photo in this session.');
    }
    await deletePhotoRow(session.id, photo.id);
    const status = statusAfterRemoval(session, await countPhotos(session.id, 'uploaded'));
    await writeSessionChange(session.id, { status, updatedAt: new Date() });
    return { sessionId: session.id, storageKey: photo.storageKey };
  });
  await removePhotoFiles(removed.storageKey);
  publish({ kind: 'changed', sessionId: removed.sessionId });
}

export async function loadResult(
  sessionId: string,
): Promise<{ session: SessionWithCounts; photo: PhotoRow }> {
  const session = await loadLiveSession(sessionId);
  const photo = await findResult(session.id);
  if (!photo) throw new ApiError('result_not_ready', 'The picture is not ready yet.');
  return { session, photo };
}

/**
 * A fetch of the result. When a guest (no credentials at all: the booth and admin looking at it do
 * not count) gets the full picture — a 304 too, they already have it — a ready download session
 * is done.
 */
export async function noteResultFetch(
  sessionId: string,
  caller: Caller,
  opts: { variant: Variant; method: string },
): Promise<void> {
  if (caller.via !== 'none' || opts.variant !== 'full' || opts.method !== 'GET') return;
  await markResultFetched(sessionId);
}

/**
 * A fetch of a picture's image by its take-home link: while its session lives, a guest's fetch
 * counts as fetching the session's result (the booth shows "saved on the phone ✓").
 */
export async function notePictureFetch(
  sessionId: string | null,
  caller: Caller,
  opts: { variant: Variant; method: string },
): Promise<void> {
  if (!sessionId) return;
  try {
    await noteResultFetch(sessionId, caller, opts);
  } catch (err) {
    // The session went meanwhile: the picture outlives it, nothing to mark.
    if (!(err instanceof ApiError && err.code === 'session_not_found')) throw err;
  }
}

/** A guest fetched the finished picture of a download session: that session's flow is done. */
export async function markResultFetched(sessionId: string): Promise<void> {
  const changed = await transaction(async () => {
    const session = await loadSession(sessionId);
    if (session.type !== 'download' || session.status !== 'ready' || isExpired(session)) return false;
    await writeSessionChange(session.id, { status: 'completed', updatedAt: new Date() });
    return true;
  });
  if (changed) publish({ kind: 'changed', sessionId });
}
