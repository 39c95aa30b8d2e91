import { randomUUID } from 'node:crypto';
import { isForeignKeyViolation } from '@/db/connection';
import {
  deleteSessionRow,
  findDefaultEvent,
  findEvent,
  findSession,
  insertSession,
  listActiveSessionSummaries,
  type SessionSummary,
  type SessionWithCounts,
  transaction,
  writeSessionChange,
} from '@/db/queries';
import type { EventRow, SessionStatus, SessionType } from '@/db/schema';
import { ApiError } from './errors';
import { countEvent } from './event-stats';
import { publish } from './events';
import { pictureUrl } from './pictures';
import type { Role } from './roles';
import { type Layout, MAX_TTL_MINUTES, MIN_TTL_MINUTES, photoProgress } from './shared/session';
import type { SessionJson, SessionListItemJson } from './shared/wire';
import { removeSessionDir } from './storage';

/**
 * The session rules, in one place: lifetime, expiry, the status moves, the wire shape.
 * Route handlers, pages and the other entry points call these; none re-implements them.
 */

export const MAX_DATA_BYTES = 16 * 1024;
export { MAX_TTL_MINUTES, MIN_TTL_MINUTES };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export function isUuid(id: string): boolean {
  return UUID_RE.test(id);
}

export function isExpired(
  session: Pick<SessionWithCounts, 'expiresAt' | 'status'>,
  now = new Date(),
): boolean {
  return session.status === 'expired' || session.expiresAt.getTime() <= now.getTime();
}

export function effectiveStatus(
  session: Pick<SessionWithCounts, 'expiresAt' | 'status'>,
  now = new Date(),
): SessionStatus {
  return isExpired(session, now) ? 'expired' : session.status;
}

export type { SessionJson, SessionListItemJson };

export function guestPath(id: string): string {
  return `/s/${id}`;
}

/** Every field of the wire shape but `data` (the admin list leaves that out). */
function wireFields(
  session: Omit<SessionWithCounts, 'data'>,
  baseUrl: string,
  now: Date,
): Omit<SessionJson, 'data'> {
  return {
    id: session.id,
    type: session.type,
    status: effectiveStatus(session, now),
    created_at: session.createdAt.toISOString(),
    updated_at: session.updatedAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    telegram_user_id: session.telegramUserId ?? null,
    telegram_username: session.telegramUsername ?? null,
    photo_count: session.photoCount,
    max_photos: session.maxPhotos,
    ready_at: session.readyAt,
    has_result: session.hasResult,
    url: `${baseUrl}${guestPath(session.id)}`,
    event_id: session.eventId,
    booth_id: session.boothId ?? null,
    picture_url: session.pictureToken ? pictureUrl(baseUrl, session.pictureToken) : null,
    layout: session.layout ?? null,
  };
}

export function serializeSession(session: SessionWithCounts, baseUrl: string, now = new Date()): SessionJson {
  return { ...wireFields(session, baseUrl, now), data: session.data ?? {} };
}

export function serializeSessionSummary(
  session: SessionSummary,
  baseUrl: string,
  now = new Date(),
): SessionListItemJson {
  return { ...wireFields(session, baseUrl, now), has_data: session.hasData };
}

export function checkDataSize(data: Record<string, unknown>): void {
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_DATA_BYTES) {
    throw new ApiError('data_too_large', `"data" must be at most ${MAX_DATA_BYTES} bytes of JSON.`);
  }
}

export interface CreateSessionInput {
  type: SessionType;
  telegramUserId?: number | null;
  telegramUsername?: string | null;
  data?: Record<string, unknown>;
  ttlMinutes?: number;
  /** The session's event (lib/event-rules.ts eventForNewSession); the default event when absent. */
  event?: EventRow;
  /** The paired booth making it, if any. */
  boothId?: string | null;
}

/**
 * A new session takes its event's limits as they are now and keeps them (stored on the row): a
 * later change of the event applies to sessions created after it. `ttl_minutes` of the request
 * still overrides the event's lifetime, as in Part 1.
 */
export async function createSession(input: CreateSessionInput): Promise<SessionWithCounts> {
  const data = input.data ?? {};
  checkDataSize(data);
  const event = input.event ?? (await findDefaultEvent());
  if (!event) throw new Error('the default event is missing');
  const now = new Date();
  const ttl = input.ttlMinutes ?? event.sessionTtlMinutes;
  const id = randomUUID();
  const row = {
    id,
    type: input.type,
    status: 'pending',
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(now.getTime() + ttl * 60_000),
    telegramUserId: input.telegramUserId ?? null,
    telegramUsername: input.telegramUsername ?? null,
    data,
    eventId: event.id,
    boothId: input.boothId ?? null,
    maxPhotos: event.maxPhotos,
    readyAt: event.readyAt,
  } as const;
  try {
    await transaction(async () => {
      await insertSession(row);
      await countEvent(event.id, 'sessions', { at: now });
    });
  } catch (err) {
    // The event (or the paired booth) was deleted between reading it and this insert.
    if (isForeignKeyViolation(err)) {
      throw new ApiError('event_not_found', 'The event of this session was deleted just now.');
    }
    throw err;
  }
  // Nobody watches a new session yet but the admin page (its list shows it at once).
  publish({ kind: 'changed', sessionId: id });
  return (await findSession(id)) as SessionWithCounts;
}

/** Any session, expired or not; 404 when unknown or when the id is not a UUID. */
export async function loadSession(id: string): Promise<SessionWithCounts> {
  const session = isUuid(id) ? await findSession(id.toLowerCase()) : undefined;
  if (!session)
    throw new ApiError('session_not_found', 'No such session. The link may be mistyped or deleted.');
  return session;
}

export function expiredError(session: SessionWithCounts): ApiError {
  const err = new ApiError('session_expired', 'This session has expired.');
  err.session = session;
  return err;
}

/** A session that is not expired, or 410 carrying the expired session. */
export async function loadLiveSession(id: string): Promise<SessionWithCounts> {
  const session = await loadSession(id);
  if (isExpired(session)) throw expiredError(session);
  return session;
}

export interface UpdateSessionInput {
  status?: SessionStatus;
  data?: Record<string, unknown>;
  telegramUserId?: number | null;
  telegramUsername?: string | null;
  extendMinutes?: number;
}

export async function updateSession(id: string, input: UpdateSessionInput): Promise<SessionWithCounts> {
  if (input.data) checkDataSize(input.data);
  const updated = await transaction(async () => {
    const session = await loadLiveSession(id);
    const now = new Date();
    let expiresAt = session.expiresAt;
    if (input.extendMinutes) {
      const ms = expiresAt.getTime() + input.extendMinutes * 60_000;
      expiresAt = new Date(Math.min(ms, now.getTime() + MAX_TTL_MINUTES * 60_000));
    }
    // Force-expiring (status "expired") ends the session now; the sweep removes it later.
    if (input.status === 'expired') expiresAt = now;
    await writeSessionChange(session.id, {
      updatedAt: now,
      expiresAt,
      ...(input.status && { status: input.status }),
      ...(input.data && { data: input.data }),
      ...(input.telegramUserId !== undefined && { telegramUserId: input.telegramUserId }),
      ...(input.telegramUsername !== undefined && { telegramUsername: input.telegramUsername }),
    });
    return (await findSession(session.id)) as SessionWithCounts;
  });
  publish({ kind: isExpired(updated) ? 'gone' : 'changed', sessionId: updated.id, version: updated.version });
  return updated;
}

/**
 * The guest chooses the picture's layout on the phone (or the booth sets it): one of the session
 * event's layouts (else 400 invalid_layout). A guest only on an upload session (403 forbidden, as
 * for photos); expired 410; completed 409 session_closed. Written as a session change, so every
 * live stream (the booth's) sends it at once.
 */
export async function setSessionLayout(id: string, layout: string, role: Role): Promise<SessionWithCounts> {
  const updated = await transaction(async () => {
    const session = await loadLiveSession(id);
    if (role === 'guest' && session.type !== 'upload') {
      throw new ApiError('forbidden', 'The layout of this session is chosen at the booth.');
    }
    if (session.status === 'completed') {
      throw new ApiError('session_closed', 'This session is finished; its picture is made already.');
    }
    const event = await findEvent(session.eventId);
    const allowed = event?.layouts ?? [];
    if (!allowed.includes(layout as Layout)) {
      throw new ApiError('invalid_layout', `"layout" must be one of: ${allowed.join(', ')}.`);
    }
    await writeSessionChange(session.id, { updatedAt: new Date(), layout: layout as Layout });
    return (await findSession(session.id)) as SessionWithCounts;
  });
  publish({ kind: 'changed', sessionId: updated.id, version: updated.version });
  return updated;
}

/** The event of a session (expired or not), for the guest pages; null when there is no such session. */
export async function eventOfSession(id: string): Promise<EventRow | null> {
  const session = isUuid(id) ? await findSession(id.toLowerCase()) : undefined;
  return (session && (await findEvent(session.eventId))) || null;
}

export async function deleteSession(id: string): Promise<void> {
  const session = await loadSession(id);
  await deleteSessionRow(session.id);
  await removeSessionDir(session.id);
  publish({ kind: 'gone', sessionId: session.id });
}

export const LIST_PAGE_SIZE = 50;
export const LIST_PAGE_MAX = 200;

export interface SessionPage {
  sessions: SessionSummary[];
  /** The cursor of the next page (`?before=`), null on the last page. */
  nextBefore: string | null;
}

/**
 * A page cursor: where the last session of a page stands in the order (created_at, id). Opaque
 * to clients (base64url), so its form may change; a cursor that does not decode is 400.
 */
export function encodeCursor(session: { createdAt: Date; id: string }): string {
  return Buffer.from(`${session.createdAt.getTime()}.${session.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [ms, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  const time = Number(ms);
  if (rest.length || !id || !isUuid(id) || !Number.isSafeInteger(time) || time < 0) {
    throw new ApiError('invalid_query', '"before" is not a cursor this server gave (use next_before).');
  }
  return { createdAt: new Date(time), id };
}

/** Active sessions, newest first, one page at a time (the admin list). */
export async function listSessionsPage(query: {
  /** Only the sessions of this event. */
  eventId?: string;
  type?: SessionType;
  status?: SessionStatus;
  before?: string;
  limit?: number;
}): Promise<SessionPage> {
  const limit = Math.min(query.limit ?? LIST_PAGE_SIZE, LIST_PAGE_MAX);
  const rows = await listActiveSessionSummaries(new Date(), {
    eventId: query.eventId,
    type: query.type,
    status: query.status,
    before: query.before ? decodeCursor(query.before) : undefined,
    // One more than asked tells whether there is a next page.
    limit: limit + 1,
  });
  const sessions = rows.slice(0, limit);
  const last = sessions.at(-1);
  return { sessions, nextBefore: rows.length > limit && last ? encodeCursor(last) : null };
}

/** These sessions as the admin list shows them; the ones expired or deleted are left out. */
export async function sessionSummaries(ids: string[]): Promise<SessionSummary[]> {
  return ids.length ? await listActiveSessionSummaries(new Date(), { ids, limit: ids.length }) : [];
}

/** The status move after an uploaded photo landed (pending → ready at the session's ready_at). */
export function statusAfterUpload(session: SessionWithCounts, uploadedCount: number): SessionStatus {
  if (
    session.type === 'upload' &&
    session.status === 'pending' &&
    photoProgress(uploadedCount, session.readyAt, session.maxPhotos).ready
  ) {
    return 'ready';
  }
  return session.status;
}

/**
 * The status move after an uploaded photo was removed: an upload session that is ready goes back
 * to pending when it has fewer photos than its ready_at now.
 */
export function statusAfterRemoval(session: SessionWithCounts, uploadedCount: number): SessionStatus {
  if (
    session.type === 'upload' &&
    session.status === 'ready' &&
    !photoProgress(uploadedCount, session.readyAt, session.maxPhotos).ready
  ) {
    return 'pending';
  }
  return session.status;
}

/** The status move after a result was saved: upload → completed, download → ready. */
export function statusAfterResult(session: SessionWithCounts): SessionStatus {
  return session.type === 'upload' ? 'completed' : 'ready';
}
