import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// The vocabulary is shared with the browser code; relative so drizzle-kit resolves it too.
import { EVENT_LOCALES, type EventTheme, type EventWifi } from '../lib/shared/event';
import { LAYOUTS, type Layout, PHOTO_TYPES, SESSION_STATUSES, SESSION_TYPES } from '../lib/shared/session';

export { EVENT_LOCALES, type EventLocale, type EventTheme, type EventWifi } from '../lib/shared/event';

export {
  PHOTO_TYPES,
  type PhotoType,
  SESSION_STATUSES,
  SESSION_TYPES,
  type SessionStatus,
  type SessionType,
} from '../lib/shared/session';

/** The layouts an event may offer: the shared ones. */
export const EVENT_LAYOUTS = LAYOUTS;
export type EventLayout = Layout;

/**
 * Events: a wedding, a party. Every session belongs to one; the default event (exactly one row
 * with is_default = 1, enforced by a partial unique index) holds the sessions of a server nobody
 * configured. `created_at` 0 marks a default event made by the migration and not yet given its
 * values from the environment (db/default-event.ts does that once, at start-up).
 */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    startsAt: integer('starts_at', { mode: 'timestamp_ms' }),
    endsAt: integer('ends_at', { mode: 'timestamp_ms' }),
    locale: text('locale', { enum: EVENT_LOCALES }).notNull().default('en'),
    caption: text('caption'),
    theme: text('theme', { mode: 'json' }).$type<EventTheme>().notNull(),
    layouts: text('layouts', { mode: 'json' }).$type<EventLayout[]>().notNull(),
    maxPhotos: integer('max_photos').notNull(),
    readyAt: integer('ready_at').notNull(),
    sessionTtlMinutes: real('session_ttl_minutes').notNull(),
    retentionDays: integer('retention_days').notNull(),
    printQr: integer('print_qr', { mode: 'boolean' }).notNull(),
    /** The slideshow (/g/<token>/show) shows a QR of the host gallery in a corner. */
    slideshowQr: integer('slideshow_qr', { mode: 'boolean' }).notNull().default(false),
    consentText: text('consent_text'),
    wifi: text('wifi', { mode: 'json' }).$type<EventWifi>(),
    /** Storage key of the overlay frame (has_frame); written by the frame upload (later). */
    frameKey: text('frame_key'),
    /** The host gallery's link (/g/<token>): random, 192 bits; made lazily, replaced on rotate. */
    hostToken: text('host_token'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('events_default_idx').on(t.isDefault).where(sql`is_default = 1`),
    index('events_created_at_idx').on(t.createdAt),
    uniqueIndex('events_host_token_idx').on(t.hostToken),
  ],
);

/** Kiosk devices paired to an event. `last_seen_at` is written at most every 15 s per booth. */
export const booths = sqliteTable(
  'booths',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('booths_event_idx').on(t.eventId)],
);

/**
 * Pairing codes: 6 digits, single use, 10 minutes. Only the code's sha256 is kept (`code_hash`),
 * never the code; a booth has at most one unused code (a new one replaces the old).
 */
export const boothPairings = sqliteTable(
  'booth_pairings',
  {
    id: text('id').primaryKey(),
    boothId: text('booth_id')
      .notNull()
      .references(() => booths.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('booth_pairings_code_idx').on(t.codeHash), index('booth_pairings_booth_idx').on(t.boothId)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    type: text('type', { enum: SESSION_TYPES }).notNull(),
    status: text('status', { enum: SESSION_STATUSES }).notNull().default('pending'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    telegramUserId: integer('telegram_user_id'),
    telegramUsername: text('telegram_username'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    /** Raised by every change; the change log below keeps each version's state. */
    version: integer('version').notNull().default(0),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    /** The paired booth that made it; null for BOOTH_TOKEN (and once that booth is deleted). */
    boothId: text('booth_id').references(() => booths.id, { onDelete: 'set null' }),
    /** The event's limits as they were when the session was made: a later change of the event
     * applies to sessions created after it. (The lifetime is in expires_at.) */
    maxPhotos: integer('max_photos').notNull(),
    readyAt: integer('ready_at').notNull(),
    /** The layout the guest chose on the phone (PUT /api/session/:id/layout); null until then. */
    layout: text('layout', { enum: EVENT_LAYOUTS }),
  },
  (t) => [
    index('sessions_expires_at_idx').on(t.expiresAt),
    index('sessions_created_at_idx').on(t.createdAt),
    index('sessions_event_idx').on(t.eventId),
  ],
);

/**
 * Each state a session went through, by version, written in the same transaction as the change.
 * A live stream sends every version it has not sent yet, in order, so a booth sees every step
 * (2 → 3 → 4) even when the changes were committed by other processes.
 */
export const sessionChanges = sqliteTable(
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

export const sessionPhotos = sqliteTable(
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
    /**
     * The Telegram update that brought this photo: at most one photo per update, however often
     * the update is processed (a retry after a crash finds the photo already there).
     */
    telegramUpdateId: integer('telegram_update_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('session_photos_order_idx').on(t.sessionId, t.photoType, t.orderIndex),
    uniqueIndex('session_photos_telegram_update_idx').on(t.telegramUpdateId),
  ],
);

/**
 * Pictures: a session's finished picture kept for its event's retention_days on a take-home link
 * of its own (`token`, random, 128+ bits; the link is the capability, stored plainly so the URL can
 * be rebuilt for the session and the admin). Its files are its own (`storage_key`, under
 * <DATA_DIR>/pictures), so the session's sweep or deletion leaves it: `session_id` is set null.
 * One picture per session: a replaced result updates the same row and keeps its token, so a QR
 * already shown or printed stays valid.
 */
export const pictures = sqliteTable(
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
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('pictures_token_idx').on(t.token),
    uniqueIndex('pictures_session_idx').on(t.sessionId),
    index('pictures_event_idx').on(t.eventId, t.createdAt),
    index('pictures_expires_at_idx').on(t.expiresAt),
  ],
);

/**
 * Event statistics (GET /api/events/:id/stats): one row per event and UTC hour (`hour` is the
 * hour's first millisecond), each column a count of what happened in that hour. Counted where it
 * happens, in the same transaction as the change when there is one (a session made, a photo
 * uploaded, a picture made); a read (a take-home open, a download), a print and a Telegram
 * delivery are one UPSERT each. Sessions and photos are swept after their lifetime; these rows stay
 * (they go with their event).
 */
export const eventStats = sqliteTable(
  'event_stats',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    hour: integer('hour').notNull(),
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

/**
 * Telegram: one row per session that has a deep link. `start_token` is the random /start payload
 * (it reveals nothing about the session); the chat columns are filled when a guest taps the link;
 * `delivered_result_id` is the result photo last sent to that chat (the delivery claim).
 */
export const telegramLinks = sqliteTable(
  'telegram_links',
  {
    sessionId: text('session_id')
      .primaryKey()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    startToken: text('start_token').notNull(),
    chatId: integer('chat_id'),
    userId: integer('user_id'),
    languageCode: text('language_code'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    linkedAt: integer('linked_at', { mode: 'timestamp_ms' }),
    deliveredResultId: text('delivered_result_id'),
    /** When the chat tapped the bot's "I agree" to the event's consent text (null: not asked or not yet). */
    consentedAt: integer('consented_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('telegram_links_start_token_idx').on(t.startToken),
    index('telegram_links_chat_idx').on(t.chatId, t.linkedAt),
  ],
);

/**
 * The Telegram inbox: every update is stored here before Telegram is told it arrived (the webhook's
 * 200, the next getUpdates offset), then processed from here. One row per update_id, so a copy
 * Telegram sends again is dropped. `claimed_by`/`claimed_until` are the lease of the process
 * working on a pending update (after a failed attempt, `claimed_until` alone is when to try
 * again); an update waits while an older one of its chat is pending; `payload` is the update's JSON, cleared once it is done or failed. Rows from before the
 * inbox (a plain list of handled ids) read as done.
 */
export const TELEGRAM_UPDATE_STATES = ['pending', 'done', 'failed'] as const;
export type TelegramUpdateState = (typeof TELEGRAM_UPDATE_STATES)[number];
export const telegramUpdates = sqliteTable(
  'telegram_updates',
  {
    updateId: integer('update_id').primaryKey(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    payload: text('payload'),
    /** The chat it came from: a chat's updates are processed one at a time, in order. */
    chatId: integer('chat_id'),
    state: text('state', { enum: TELEGRAM_UPDATE_STATES }).notNull().default('done'),
    attempts: integer('attempts').notNull().default(0),
    claimedBy: text('claimed_by'),
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
    processedAt: integer('processed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('telegram_updates_received_at_idx').on(t.receivedAt),
    index('telegram_updates_state_idx').on(t.state, t.updateId),
    index('telegram_updates_chat_idx').on(t.chatId, t.updateId),
  ],
);

/**
 * Photo slots taken by uploads in flight: an upload reserves its slot before its body is read and
 * decoded, so uploads beyond the photo limit are refused at once instead of after a decode. The
 * row goes when the photo commits or the upload fails; `expires_at` bounds what a crash leaves.
 */
export const uploadSlots = sqliteTable(
  'upload_slots',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('upload_slots_session_idx').on(t.sessionId, t.expiresAt)],
);

/**
 * Logged-in devices (the httpOnly login cookie). The cookie carries a random secret whose sha256 is
 * `id`; logout deletes the row, so the cookie stops working at once on every worker. `token_tag`
 * binds the login to the role's token as it was: changing BOOTH_TOKEN or ADMIN_TOKEN logs out.
 */
export const AUTH_ROLES = ['booth', 'admin'] as const;
export const authSessions = sqliteTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    role: text('role', { enum: AUTH_ROLES }).notNull(),
    tokenTag: text('token_tag').notNull(),
    /** A paired booth's login (role booth): deleting the booth deletes it, so the cookie stops. */
    boothId: text('booth_id').references(() => booths.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('auth_sessions_expires_at_idx').on(t.expiresAt),
    index('auth_sessions_booth_idx').on(t.boothId),
  ],
);

/**
 * Fixed-window counters shared by every worker process (login attempts per client address, and
 * later pairing attempts): one row per key and window.
 */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    resetAt: integer('reset_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('rate_limits_reset_at_idx').on(t.resetAt)],
);

export type SessionRow = typeof sessions.$inferSelect;
export type NewSessionRow = typeof sessions.$inferInsert;
export type PhotoRow = typeof sessionPhotos.$inferSelect;
export type NewPhotoRow = typeof sessionPhotos.$inferInsert;
export type TelegramLinkRow = typeof telegramLinks.$inferSelect;
export type NewTelegramLinkRow = typeof telegramLinks.$inferInsert;
export type TelegramUpdateRow = typeof telegramUpdates.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;
export type BoothRow = typeof booths.$inferSelect;
export type NewBoothRow = typeof booths.$inferInsert;
export type BoothPairingRow = typeof boothPairings.$inferSelect;
export type PictureRow = typeof pictures.$inferSelect;
export type NewPictureRow = typeof pictures.$inferInsert;
export type EventStatsRow = typeof eventStats.$inferSelect;
export type AuthSessionRow = typeof authSessions.$inferSelect;
export type NewAuthSessionRow = typeof authSessions.$inferInsert;
