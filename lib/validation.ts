import { z } from 'zod';
import { PHOTO_TYPES, SESSION_STATUSES, SESSION_TYPES } from '@/db/schema';
import { ApiError } from './errors';
import { LAYOUTS } from './images';
import { LIST_PAGE_MAX, LIST_PAGE_SIZE, MAX_TTL_MINUTES, MIN_TTL_MINUTES } from './sessions';

/** The request shapes of the session API (zod), shared by every entry point. */

const telegramUserId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable().optional();
const telegramUsername = z.string().trim().max(64).nullable().optional();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body must be a JSON object. */
export function asObject(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new ApiError('invalid_request', 'The request body must be a JSON object.');
  return body;
}

/** How deep `data` may nest (objects and arrays): deeper JSON is refused before anything reads it. */
export const MAX_DATA_DEPTH = 32;

/** The nesting depth of a JSON value, without recursion (so no depth can overflow the stack). */
export function jsonDepth(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    const d = depth + 1;
    if (d > deepest) deepest = d;
    if (deepest > stopAt) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d]);
    }
  }
  return deepest;
}

function checkData(body: Record<string, unknown>): void {
  if (!('data' in body)) return;
  if (!isPlainObject(body.data)) throw new ApiError('invalid_data', '"data" must be a JSON object.');
  if (jsonDepth(body.data, MAX_DATA_DEPTH) > MAX_DATA_DEPTH) {
    throw new ApiError('invalid_data', `"data" may nest at most ${MAX_DATA_DEPTH} levels deep.`);
  }
}

const createSchema = z.object({
  type: z.enum(SESSION_TYPES),
  telegram_user_id: telegramUserId,
  telegram_username: telegramUsername,
  data: z.record(z.string(), z.unknown()).optional(),
  ttl_minutes: z
    .number()
    .min(MIN_TTL_MINUTES, `must be at least ${MIN_TTL_MINUTES * 60} s (${MIN_TTL_MINUTES} minutes)`)
    .max(MAX_TTL_MINUTES)
    .optional(),
  /** The event the session belongs to (BOOTH_TOKEN and admin; a paired booth's is its own). */
  event_id: z.string().max(64).optional(),
});

export function parseCreateSession(raw: unknown) {
  const body = asObject(raw);
  if (!SESSION_TYPES.includes(body.type as never)) {
    throw new ApiError('invalid_type', `"type" must be one of: ${SESSION_TYPES.join(', ')}.`);
  }
  checkData(body);
  return createSchema.parse(body);
}

const updateSchema = z
  .object({
    status: z.enum(SESSION_STATUSES).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    telegram_user_id: telegramUserId,
    telegram_username: telegramUsername,
    extend_minutes: z.number().positive().max(MAX_TTL_MINUTES).optional(),
  })
  .strict();

export function parseUpdateSession(raw: unknown) {
  const body = asObject(raw);
  if ('status' in body && !SESSION_STATUSES.includes(body.status as never)) {
    throw new ApiError('invalid_status', `"status" must be one of: ${SESSION_STATUSES.join(', ')}.`);
  }
  checkData(body);
  return updateSchema.parse(body);
}

const composeSchema = z.object({
  /** Absent: the event's first layout (grid unless the event left it out). */
  layout: z.enum(LAYOUTS).optional(),
  /** Absent: the event's caption; null or '': none. */
  caption: z.string().trim().max(80).nullable().optional(),
});

/** The body of compose and of the event preview: layout (default: the event's first) and caption. */
export function parseCompose(raw: unknown) {
  const body = asObject(raw);
  if ('layout' in body && !LAYOUTS.includes(body.layout as never)) {
    throw new ApiError('invalid_layout', `"layout" must be one of: ${LAYOUTS.join(', ')}.`);
  }
  return composeSchema.parse(body);
}

export const photosQuerySchema = z.object({ type: z.enum(PHOTO_TYPES).optional() });
export const imageQuerySchema = z.object({
  variant: z.enum(['full', 'thumb']).default('full'),
  download: z.enum(['0', '1', 'true', 'false']).optional(),
  /** `host`: the host's screen (the slideshow) shows it, not the guest: not the guest's fetch. */
  from: z.enum(['host']).optional(),
});
export const listQuerySchema = z.object({
  type: z.enum(SESSION_TYPES).optional(),
  status: z.enum(SESSION_STATUSES).optional(),
  event_id: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(LIST_PAGE_MAX).default(LIST_PAGE_SIZE),
  before: z.string().min(1).max(200).optional(),
});
