import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_THEME } from '@/db/default-event';
import {
  deleteEventRow,
  findDefaultEvent,
  findEvent,
  insertEvent,
  listEvents as listEventRows,
  sessionIdsOfEvent,
  transaction,
  updateEventRow,
} from '@/db/queries';
import { EVENT_LAYOUTS, EVENT_LOCALES, type EventRow, type NewEventRow } from '@/db/schema';
import type { Caller } from './auth';
import { ApiError } from './errors';
import { publish } from './events';
import { isUuid, MAX_TTL_MINUTES, MIN_TTL_MINUTES } from './sessions';
import { COLOUR_RE, EVENT_LIMITS } from './shared/event';
import type { EventJson } from './shared/wire';
import { removeEventFrames, removeEventPictures, removeSessionDir } from './storage';

/**
 * The event rules, in one place: what an event may hold (validation), its wire shape, which
 * event a new session belongs to, and what deleting one takes with it. The limits a session
 * lives by (max_photos, ready_at, lifetime) are the event's, copied onto the session when it is
 * made (lib/sessions.ts), so a change of the event applies to sessions created after it.
 * (lib/events.ts is the live-update bus, not this.)
 */

export const MAX_EVENT_PHOTOS = EVENT_LIMITS.maxPhotos;
export const MAX_RETENTION_DAYS = EVENT_LIMITS.retentionDaysMax;
export type { EventJson };

export function serializeEvent(e: EventRow): EventJson {
  return {
    id: e.id,
    name: e.name,
    is_default: e.isDefault,
    starts_at: e.startsAt?.toISOString() ?? null,
    ends_at: e.endsAt?.toISOString() ?? null,
    locale: e.locale,
    caption: e.caption ?? null,
    theme: { ...DEFAULT_THEME, ...e.theme },
    layouts: e.layouts,
    max_photos: e.maxPhotos,
    ready_at: e.readyAt,
    session_ttl_minutes: e.sessionTtlMinutes,
    retention_days: e.retentionDays,
    print_qr: e.printQr,
    slideshow_qr: e.slideshowQr,
    consent_text: e.consentText ?? null,
    wifi: e.wifi ?? null,
    has_frame: e.frameKey != null,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation of the writable fields. Every failure is 400 invalid_event naming the field.

const colour = z.string().regex(COLOUR_RE, 'must be a colour like #1f2937');
const nullableText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .transform((v) => (v === '' ? null : v));
const isoOrNull = z
  .union([z.iso.datetime({ offset: true }), z.null()], { message: 'must be an ISO 8601 date-time or null' })
  .transform((v) => (v === null ? null : new Date(v)));

const writableSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(EVENT_LIMITS.nameMax),
    starts_at: isoOrNull,
    ends_at: isoOrNull,
    locale: z.enum(EVENT_LOCALES),
    caption: nullableText(EVENT_LIMITS.captionMax),
    theme: z.object({ background: colour, text: colour, accent: colour }).partial().strict(),
    layouts: z
      .array(z.enum(EVENT_LAYOUTS))
      .min(1, 'must name at least one layout')
      .refine((l) => new Set(l).size === l.length, 'must not repeat a layout'),
    max_photos: z.number().int().min(1).max(MAX_EVENT_PHOTOS),
    ready_at: z.number().int().min(1),
    session_ttl_minutes: z
      .number()
      .min(MIN_TTL_MINUTES, `must be at least ${MIN_TTL_MINUTES} (one second)`)
      .max(MAX_TTL_MINUTES, `must be at most ${MAX_TTL_MINUTES} (7 days)`),
    retention_days: z.number().int().min(0).max(MAX_RETENTION_DAYS),
    print_qr: z.boolean(),
    slideshow_qr: z.boolean(),
    consent_text: nullableText(EVENT_LIMITS.consentMax),
    wifi: z
      .object({
        ssid: z.string().min(1).max(EVENT_LIMITS.ssidMax),
        password: z.string().max(EVENT_LIMITS.passwordMax).default(''),
      })
      .strict()
      .nullable(),
  })
  .partial()
  .strict();

export type EventInput = z.output<typeof writableSchema>;

function invalidEvent(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const field = [...issue.path, issue.keys[0]].map(String).join('.');
    return new ApiError('invalid_event', `Unknown field "${field}".`);
  }
  const field = issue?.path.map(String).join('.') || 'body';
  return new ApiError('invalid_event', `"${field}": ${issue?.message ?? 'is not valid'}.`);
}

export function parseEventInput(raw: unknown, { create }: { create: boolean }): EventInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ApiError('invalid_event', 'The request body must be a JSON object of event fields.');
  }
  const parsed = writableSchema.safeParse(raw);
  if (!parsed.success) throw invalidEvent(parsed.error);
  if (create && parsed.data.name === undefined) {
    throw new ApiError('invalid_event', '"name" is required (1–120 characters).');
  }
  return parsed.data;
}

/** The rules between fields, checked on the event as it would be after the change. */
function checkWhole(e: Pick<EventRow, 'maxPhotos' | 'readyAt' | 'startsAt' | 'endsAt'>): void {
  if (e.readyAt > e.maxPhotos) {
    throw new ApiError('invalid_event', `"ready_at" must be at most max_photos (${e.maxPhotos}).`);
  }
  if (e.startsAt && e.endsAt && e.endsAt.getTime() < e.startsAt.getTime()) {
    throw new ApiError('invalid_event', '"ends_at" must not be before starts_at.');
  }
}

function toRow(input: EventInput, current: Pick<EventRow, 'theme'>): Partial<NewEventRow> {
  const row: Partial<NewEventRow> = {};
  if (input.name !== undefined) row.name = input.name;
  if (input.starts_at !== undefined) row.startsAt = input.starts_at;
  if (input.ends_at !== undefined) row.endsAt = input.ends_at;
  if (input.locale !== undefined) row.locale = input.locale;
  if (input.caption !== undefined) row.caption = input.caption;
  // A theme given in part changes those colours and keeps the others.
  if (input.theme !== undefined) row.theme = { ...DEFAULT_THEME, ...current.theme, ...input.theme };
  if (input.layouts !== undefined) row.layouts = input.layouts;
  if (input.max_photos !== undefined) row.maxPhotos = input.max_photos;
  if (input.ready_at !== undefined) row.readyAt = input.ready_at;
  if (input.session_ttl_minutes !== undefined) row.sessionTtlMinutes = input.session_ttl_minutes;
  if (input.retention_days !== undefined) row.retentionDays = input.retention_days;
  if (input.print_qr !== undefined) row.printQr = input.print_qr;
  if (input.slideshow_qr !== undefined) row.slideshowQr = input.slideshow_qr;
  if (input.consent_text !== undefined) row.consentText = input.consent_text;
  if (input.wifi !== undefined) row.wifi = input.wifi;
  return row;
}

// ---------------------------------------------------------------------------------------------
// Reading and writing events.

export async function loadEvent(id: string): Promise<EventRow> {
  const event = isUuid(id) ? await findEvent(id.toLowerCase()) : undefined;
  if (!event) throw new ApiError('event_not_found', 'No such event.');
  return event;
}

/** The default event (it always exists: db/default-event.ts makes it when the db is opened). */
export async function defaultEvent(): Promise<EventRow> {
  const event = await findDefaultEvent();
  if (!event) throw new Error('the default event is missing');
  return event;
}

export function listEvents(): Promise<EventRow[]> {
  return listEventRows();
}

/** A new event: what is not given takes the values of the example in the contract. */
export async function createEvent(input: EventInput): Promise<EventRow> {
  const now = new Date();
  const row: NewEventRow = {
    id: randomUUID(),
    name: input.name ?? '',
    isDefault: false,
    locale: 'en',
    theme: DEFAULT_THEME,
    layouts: [...EVENT_LAYOUTS],
    maxPhotos: 5,
    readyAt: 3,
    sessionTtlMinutes: 30,
    retentionDays: 7,
    printQr: true,
    slideshowQr: false,
    ...toRow(input, { theme: DEFAULT_THEME }),
    createdAt: now,
    updatedAt: now,
  };
  checkWhole({
    maxPhotos: row.maxPhotos,
    readyAt: row.readyAt,
    startsAt: row.startsAt ?? null,
    endsAt: row.endsAt ?? null,
  });
  await insertEvent(row);
  return await loadEvent(row.id);
}

/** Changes an event; sessions made before keep the limits they were made with. */
export async function updateEvent(id: string, input: EventInput): Promise<EventRow> {
  return await transaction(async () => {
    const current = await loadEvent(id);
    const patch = toRow(input, current);
    checkWhole({ ...current, ...patch } as EventRow);
    await updateEventRow(current.id, { ...patch, updatedAt: new Date() });
    return await loadEvent(current.id);
  });
}

/** Deletes an event with its sessions (rows and files), pictures (rows and files), booths and their logins, and its frame. */
export async function deleteEvent(id: string): Promise<void> {
  const { eventId, sessionIds } = await transaction(async () => {
    const event = await loadEvent(id);
    if (event.isDefault) throw new ApiError('default_event', 'The default event cannot be deleted.');
    const ids = await sessionIdsOfEvent(event.id);
    await deleteEventRow(event.id);
    return { eventId: event.id, sessionIds: ids };
  });
  await removeEventFrames(eventId);
  for (const sessionId of sessionIds) {
    await removeSessionDir(sessionId);
    publish({ kind: 'gone', sessionId });
  }
  // Its pictures' rows went with the event (cascade); their files are all in its folder.
  await removeEventPictures(eventId);
}

// ---------------------------------------------------------------------------------------------
// Who acts for which event.

/**
 * The event a new session belongs to: a paired booth's own (asking for another is 403); for
 * BOOTH_TOKEN and admin the `event_id` given (unknown: 404 event_not_found), else the default.
 */
export async function eventForNewSession(caller: Caller, requestedId: string | undefined): Promise<EventRow> {
  if (caller.eventId) {
    if (requestedId !== undefined && requestedId.toLowerCase() !== caller.eventId) {
      throw new ApiError('forbidden', 'This booth makes sessions for its own event only.');
    }
    return await loadEvent(caller.eventId);
  }
  return requestedId === undefined ? await defaultEvent() : await loadEvent(requestedId);
}

/** Reading an event: the admin any, BOOTH_TOKEN any (it acts for every event), a paired booth its own. */
export function assertMayReadEvent(caller: Caller, event: EventRow): void {
  if (caller.role === 'admin') return;
  if (caller.role === 'booth' && (!caller.eventId || caller.eventId === event.id)) return;
  throw new ApiError('forbidden', 'This booth may read its own event only.');
}

/**
 * A paired booth acts (as the booth) only on its own event's sessions; BOOTH_TOKEN and the admin
 * on any. Reading a session stays open to every holder of its link, as for guests.
 */
export function assertMayActOnSession(caller: Caller, session: { eventId: string }): void {
  if (caller.eventId && caller.eventId !== session.eventId) {
    throw new ApiError('forbidden', "This session belongs to another event than this booth's.");
  }
}
