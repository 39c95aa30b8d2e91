import { randomBytes, randomUUID } from 'node:crypto';
import {
  deletePictureRow,
  deleteResults,
  expiredPictures,
  findEvent,
  findPictureByToken,
  findPictureOfSession,
  findSession,
  insertPicture,
  type SessionWithCounts,
  transaction,
  updatePictureRow,
  writeSessionChange,
} from '@/db/queries';
import type { PhotoRow, PictureRow } from '@/db/schema';
import { ApiError } from './errors';
import { countEvent } from './event-stats';
import { publish } from './events';
import type { NormalizedImage } from './images';
import { publishGalleryChange } from './pg-bus';
import { type StoredImage, storedImageResponse } from './serve-image';
import type { PictureJson } from './shared/wire';
import {
  openPicture,
  removePhotoFiles,
  removePictureFiles,
  storePictureFiles,
  type Variant,
} from './storage';

/**
 * Pictures: a session's finished picture, kept for its event's `retention_days` on a take-home
 * link of its own, after the half-hour session is gone.
 *
 * - The token is 24 random bytes (192 bits, 32 characters of A-Za-z0-9_-), not the session id;
 *   it is stored as is, so the link can be rebuilt for the session's `picture_url` and the admin.
 * - One picture per session. A replaced result updates the same picture (new files, new
 *   created_at/expires_at) and keeps its token, so a QR code already shown or printed stays
 *   valid. The token is chosen before compose (planTakeHome), so it can be printed on it; a guest who
 *   deletes the picture meanwhile keeps that link dead (the new picture gets a new token).
 * - Its files are its own copy (lib/storage.ts, <DATA_DIR>/pictures/<event_id>/…), written before
 *   the row is committed in the result's transaction; the session's sweep leaves them.
 * - `retention_days` 0: no picture is made (and a result replaced then drops the old one).
 */

const TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;
const DAY_MS = 24 * 60 * 60_000;

export type { PictureJson };

export function newPictureToken(): string {
  return randomBytes(24).toString('base64url');
}

export function picturePath(token: string): string {
  return `/p/${token}`;
}

/** The take-home link: what the booth's QR and the QR printed on the picture encode. */
export function pictureUrl(baseUrl: string, token: string): string {
  return `${baseUrl}${picturePath(token)}`;
}

export function pictureImagePath(token: string): string {
  return `/api/pictures/${token}/image`;
}

export function serializePicture(p: PictureRow, baseUrl: string): PictureJson {
  return {
    id: p.id,
    event_id: p.eventId,
    session_id: p.sessionId ?? null,
    created_at: p.createdAt.toISOString(),
    expires_at: p.expiresAt.toISOString(),
    width: p.width,
    height: p.height,
    bytes: p.bytes,
    url: pictureUrl(baseUrl, p.token),
    image_url: pictureImagePath(p.token),
  };
}

export function isPictureExpired(p: Pick<PictureRow, 'expiresAt'>, now = new Date()): boolean {
  return p.expiresAt.getTime() <= now.getTime();
}

/** A picture by its token, expired or not; 404 picture_not_found when unknown or malformed. */
export async function findPicture(token: string): Promise<PictureRow> {
  const picture = TOKEN_RE.test(token) ? await findPictureByToken(token) : undefined;
  if (!picture)
    throw new ApiError('picture_not_found', 'No such picture. The link may be mistyped or deleted.');
  return picture;
}

/** A picture the holder of its link may see now: 404 when unknown, 410 picture_expired when past. */
export async function loadPicture(token: string, now = new Date()): Promise<PictureRow> {
  const picture = await findPicture(token);
  if (isPictureExpired(picture, now)) {
    throw new ApiError(
      'picture_expired',
      'This picture has expired: the event keeps pictures for a limited time.',
    );
  }
  return picture;
}

/** The picture's image, with the photos' caching rules (lib/serve-image.ts). */
export function pictureImageResponse(
  request: Request,
  picture: PictureRow,
  opts: { variant: Variant; download: boolean },
): Promise<Response> {
  const d = picture.createdAt.toISOString().replace(/[-:]/g, '').slice(0, 13).replace('T', '-');
  const thumb = opts.variant === 'thumb';
  const image: StoredImage = {
    open: () => openPicture(picture.storageKey, opts.variant),
    etag: `"${picture.sha256.slice(0, 32)}${thumb ? '-t' : ''}"`,
    contentType: picture.contentType,
    filename: `photobooth-picture-${d}-${picture.id.slice(0, 8)}${thumb ? '-thumb' : ''}.jpg`,
  };
  // Not immutable: a replaced result changes the picture under the same link (revalidated, 304).
  return storedImageResponse(request, image, {
    download: opts.download,
    immutable: false,
    missing: () => new ApiError('picture_not_found', 'The picture file is missing.'),
  });
}

/** Whether a result saved in this session now becomes a picture (its event keeps pictures). */
export async function keepsPictures(session: Pick<SessionWithCounts, 'eventId'>): Promise<boolean> {
  const event = await findEvent(session.eventId);
  return (event?.retentionDays ?? 0) > 0;
}

export interface TakeHome {
  token: string;
  /** The token was the session's picture's when compose chose it (not a new one). */
  reused: boolean;
  qrUrl: string | null;
}

/**
 * What compose needs before it renders: the token to keep (or null when no picture will be
 * kept) and the take-home link the printed QR carries (null also when the event prints none).
 */
export async function planTakeHome(
  session: Pick<SessionWithCounts, 'id' | 'eventId'>,
  baseUrl: string | undefined,
): Promise<TakeHome | null> {
  const event = await findEvent(session.eventId);
  if (!event || event.retentionDays <= 0) return null;
  const existing = await findPictureOfSession(session.id);
  const token = existing?.token ?? newPictureToken();
  return { token, reused: !!existing, qrUrl: baseUrl && event.printQr ? pictureUrl(baseUrl, token) : null };
}

export interface PreparedPicture {
  storageKey: string;
  /** The token compose printed, if any: it becomes the picture's token. */
  token?: string;
  /** That token was an existing picture's: if that picture is gone by the commit, it was deleted. */
  reused?: boolean;
  undo: () => Promise<void>;
}

/** Writes the picture's own files before the result is committed (null: the event keeps none). */
export async function preparePicture(
  session: Pick<SessionWithCounts, 'eventId'>,
  image: NormalizedImage,
  token?: string,
  reused = false,
): Promise<PreparedPicture | null> {
  if (!(await keepsPictures(session))) return null;
  const storageKey = `${session.eventId}/${randomUUID()}`;
  const undo = await storePictureFiles(storageKey, image.full, image.thumb);
  return { storageKey, token, reused, undo };
}

/**
 * Inside the result's transaction, before its session change is written (so the change log
 * carries picture_url): makes or updates the session's picture from the result row. Returns the
 * storage keys whose files are to be removed after the commit.
 */
export async function commitPicture(
  sessionId: string,
  prepared: PreparedPicture | null,
  result: PhotoRow,
): Promise<string[]> {
  const session = await findSession(sessionId);
  const event = session ? await findEvent(session.eventId) : undefined;
  const existing = await findPictureOfSession(sessionId);
  if (!prepared || !event || event.retentionDays <= 0) {
    // The event keeps no pictures (now): the picture of the replaced result goes too.
    if (existing) await deletePictureRow(existing.id);
    return [...(existing ? [existing.storageKey] : []), ...(prepared ? [prepared.storageKey] : [])];
  }
  const now = result.createdAt;
  const values = {
    storageKey: prepared.storageKey,
    contentType: result.contentType,
    width: result.width,
    height: result.height,
    bytes: result.bytes,
    sha256: result.sha256,
    createdAt: now,
    expiresAt: new Date(now.getTime() + event.retentionDays * DAY_MS),
  };
  if (existing) {
    // Two composes at once: the token printed on the result that wins is the one that works.
    await updatePictureRow(existing.id, { ...values, token: prepared.token ?? existing.token });
    return [existing.storageKey];
  }
  // A reused token whose picture is gone was deleted by its guest while this was composed: that
  // link stays dead ("404 from then on"), the new picture gets a link of its own.
  const token = prepared.token && !prepared.reused ? prepared.token : newPictureToken();
  await insertPicture({ id: randomUUID(), eventId: event.id, sessionId, token, ...values });
  await countEvent(event.id, 'pictures', { at: now });
  return [];
}

/**
 * Removes a picture's row and files; its session (when still there) says picture_url null.
 * With `withResult`, the session's result photo (row and files) goes too, so nothing of the
 * picture stays (has_result false). Returns the bytes freed, or -1 when the row was gone already
 * (or not expired by `expiredBy`).
 */
export async function removePicture(
  picture: PictureRow,
  expiredBy?: Date,
  opts: { withResult?: boolean } = {},
): Promise<number> {
  const gone = await transaction(async () => {
    const row = await deletePictureRow(picture.id, expiredBy);
    const live = row?.sessionId && (await findSession(row.sessionId)) ? row.sessionId : null;
    const results = live && opts.withResult ? await deleteResults(live) : [];
    if (live) await writeSessionChange(live, { updatedAt: new Date() });
    return row ? { storageKey: row.storageKey, sessionId: live, results } : null;
  });
  if (!gone) return -1;
  let freed = await removePictureFiles(gone.storageKey);
  for (const result of gone.results) freed += await removePhotoFiles(result.storageKey);
  if (gone.sessionId) publish({ kind: 'changed', sessionId: gone.sessionId });
  publishGalleryChange(picture.eventId);
  return freed;
}

/**
 * DELETE /api/pictures/:token: the holder of the link removes the picture (expired or not), and
 * with it the result photo of its session when that session is still there.
 */
export async function deletePictureByToken(token: string): Promise<void> {
  if ((await removePicture(await findPicture(token), undefined, { withResult: true })) < 0) {
    throw new ApiError('picture_not_found', 'No such picture. It was deleted just now.');
  }
}

/** The retention sweep: pictures past expires_at, rows and files. */
export async function sweepExpiredPictures(now = new Date()): Promise<{ pictures: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for (const picture of await expiredPictures(now)) {
    // A picture replaced meanwhile (a new result, a new expires_at) is not expired any more.
    const freed = await removePicture(picture, now);
    if (freed < 0) continue;
    bytes += freed;
    count++;
  }
  return { pictures: count, bytes };
}
