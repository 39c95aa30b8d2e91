import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const SESSION_TYPES = ['upload', 'download'] as const;
/** Stored statuses. `expired` is also derived at read time from `expires_at`. */
export const SESSION_STATUSES = ['pending', 'ready', 'completed', 'expired'] as const;
export const PHOTO_TYPES = ['uploaded', 'result'] as const;

export type SessionType = (typeof SESSION_TYPES)[number];
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export type PhotoType = (typeof PHOTO_TYPES)[number];

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
    data: text('data', { mode: 'json' })
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'`),
  },
  (t) => [index('sessions_expires_at_idx').on(t.expiresAt), index('sessions_created_at_idx').on(t.createdAt)],
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
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('session_photos_order_idx').on(t.sessionId, t.photoType, t.orderIndex)],
);

export type SessionRow = typeof sessions.$inferSelect;
export type NewSessionRow = typeof sessions.$inferInsert;
export type PhotoRow = typeof sessionPhotos.$inferSelect;
export type NewPhotoRow = typeof sessionPhotos.$inferInsert;
