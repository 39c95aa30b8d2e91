import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// The vocabulary is shared with the browser code; relative so drizzle-kit resolves it too.
import { EVENT_LOCALES, type EventTheme, type EventWifi } from '../lib/shared/event';
import { PHOTO_TYPES, SESSION_STATUSES, SESSION_TYPES } from '../lib/shared/session';
import { AUTH_ROLES, EVENT_LAYOUTS, type EventLayout, TELEGRAM_UPDATE_STATES } from './schema';

/**
 * The PostgreSQL twin of db/schema.ts (hosted mode, DATABASE_URL): the same tables, columns (same
 * SQL names), keys, indexes and JS row types, so the domain code reads the same rows from either.
 * db/schema.ts stays the source of truth; tests/schema-drift.test.ts fails when the two differ
 * and tests/schema-types.ts (tsc) when their row types do.
 *
 * Type mapping: SQLite `integer` timestamp_ms → `timestamptz(3)` (a Date either way); boolean-mode
 * `integer` → `boolean`; JSON-mode `text` → `jsonb`; `real` → `double precision`; plain `integer`
 * → `integer`, or `bigint` (as a JS number) where the value may pass 2^31: Telegram chat, user and
 * update ids and the event_stats hour (milliseconds since the epoch).
 */

const ms = (name: string) => timestamp(name, { mode: 'date', precision: 3, withTimezone: true });
const int53 = (name: string) => bigint(name, { mode: 'number' });

export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    startsAt: ms('starts_at'),
    endsAt: ms('ends_at'),
    locale: text('locale', { enum: EVENT_LOCALES }).notNull().default('en'),
    caption: text('caption'),
    theme: jsonb('theme').$type<EventTheme>().notNull(),
    layouts: jsonb('layouts').$type<EventLayout[]>().notNull(),
    maxPhotos: integer('max_photos').notNull(),
    readyAt: integer('ready_at').notNull(),
    sessionTtlMinutes: doublePrecision('session_ttl_minutes').notNull(),
    retentionDays: integer('retention_days').notNull(),
    printQr: boolean('print_qr').notNull(),
    slideshowQr: boolean('slideshow_qr').notNull().default(false),
    consentText: text('consent_text'),
    wifi: jsonb('wifi').$type<EventWifi>(),
    frameKey: text('frame_key'),
    hostToken: text('host_token'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('events_default_idx').on(t.isDefault).where(sql`is_default = true`),
    index('events_created_at_idx').on(t.createdAt),
    uniqueIndex('events_host_token_idx').on(t.hostToken),
  ],
);

export const booths = pgTable(
  'booths',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: ms('created_at').notNull(),
    lastSeenAt: ms('last_seen_at'),
  },
  (t) => [index('booths_event_idx').on(t.eventId)],
);

export const boothPairings = pgTable(
  'booth_pairings',
  {
    id: text('id').primaryKey(),
    boothId: text('booth_id')
      .notNull()
      .references(() => booths.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    usedAt: ms('used_at'),
  },
  (t) => [index('booth_pairings_code_idx').on(t.codeHash), index('booth_pairings_booth_idx').on(t.boothId)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    type: text('type', { enum: SESSION_TYPES }).notNull(),
    status: text('status', { enum: SESSION_STATUSES }).notNull().default('pending'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    telegramUserId: int53('telegram_user_id'),
    telegramUsername: text('telegram_username'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    version: integer('version').notNull().default(0),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    boothId: text('booth_id').references(() => booths.id, { onDelete: 'set null' }),
    maxPhotos: integer('max_photos').notNull(),
    readyAt: integer('ready_at').notNull(),
    layout: text('layout', { enum: EVENT_LAYOUTS }),
  },
  (t) => [
    index('sessions_expires_at_idx').on(t.expiresAt),
    index('sessions_created_at_idx').on(t.createdAt),
    index('sessions_event_idx').on(t.eventId),
  ],
);

export const sessionChanges = pgTable(
  'session_changes',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    snapshot: text('snapshot').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.version] })],
);

export const sessionPhotos = pgTable(
  'session_photos',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    photoType: text('photo_type', { enum: PHOTO_TYPES }).notNull(),
    orderIndex: integer('order_index').notNull(),
    contentType: text('content_type').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: integer('bytes').notNull(),
    thumbBytes: integer('thumb_bytes').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    telegramFileId: text('telegram_file_id'),
    telegramUpdateId: int53('telegram_update_id'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('session_photos_order_idx').on(t.sessionId, t.photoType, t.orderIndex),
    uniqueIndex('session_photos_telegram_update_idx').on(t.telegramUpdateId),
  ],
);

export const pictures = pgTable(
  'pictures',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'set null' }),
    token: text('token').notNull(),
    storageKey: text('storage_key').notNull(),
    contentType: text('content_type').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('pictures_token_idx').on(t.token),
    uniqueIndex('pictures_session_idx').on(t.sessionId),
    index('pictures_event_idx').on(t.eventId, t.createdAt),
    index('pictures_expires_at_idx').on(t.expiresAt),
  ],
);

export const eventStats = pgTable(
  'event_stats',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    hour: int53('hour').notNull(),
    sessions: integer('sessions').notNull().default(0),
    photosUploaded: integer('photos_uploaded').notNull().default(0),
    pictures: integer('pictures').notNull().default(0),
    takeHomeOpens: integer('take_home_opens').notNull().default(0),
    downloads: integer('downloads').notNull().default(0),
    prints: integer('prints').notNull().default(0),
    telegramDeliveries: integer('telegram_deliveries').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.hour] })],
);

export const telegramLinks = pgTable(
  'telegram_links',
  {
    sessionId: text('session_id')
      .primaryKey()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    startToken: text('start_token').notNull(),
    chatId: int53('chat_id'),
    userId: int53('user_id'),
    languageCode: text('language_code'),
    createdAt: ms('created_at').notNull(),
    linkedAt: ms('linked_at'),
    deliveredResultId: text('delivered_result_id'),
    consentedAt: ms('consented_at'),
  },
  (t) => [
    uniqueIndex('telegram_links_start_token_idx').on(t.startToken),
    index('telegram_links_chat_idx').on(t.chatId, t.linkedAt),
  ],
);

export const telegramUpdates = pgTable(
  'telegram_updates',
  {
    updateId: int53('update_id').primaryKey(),
    receivedAt: ms('received_at').notNull(),
    payload: text('payload'),
    chatId: int53('chat_id'),
    state: text('state', { enum: TELEGRAM_UPDATE_STATES }).notNull().default('done'),
    attempts: integer('attempts').notNull().default(0),
    claimedBy: text('claimed_by'),
    claimedUntil: ms('claimed_until'),
    processedAt: ms('processed_at'),
  },
  (t) => [
    index('telegram_updates_received_at_idx').on(t.receivedAt),
    index('telegram_updates_state_idx').on(t.state, t.updateId),
    index('telegram_updates_chat_idx').on(t.chatId, t.updateId),
  ],
);

export const uploadSlots = pgTable(
  'upload_slots',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('upload_slots_session_idx').on(t.sessionId, t.expiresAt)],
);

export const authSessions = pgTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    role: text('role', { enum: AUTH_ROLES }).notNull(),
    tokenTag: text('token_tag').notNull(),
    boothId: text('booth_id').references(() => booths.id, { onDelete: 'cascade' }),
    createdAt: ms('created_at').notNull(),
    lastSeenAt: ms('last_seen_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [
    index('auth_sessions_expires_at_idx').on(t.expiresAt),
    index('auth_sessions_booth_idx').on(t.boothId),
  ],
);

export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    resetAt: ms('reset_at').notNull(),
  },
  (t) => [index('rate_limits_reset_at_idx').on(t.resetAt)],
);
