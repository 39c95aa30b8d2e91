import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { type Config, getConfig } from '@/lib/config';
import { EVENT_LIMITS } from '@/lib/shared/event';
import type { Db } from './index';
import { EVENT_LAYOUTS, type EventTheme, events, type NewEventRow, sessions } from './schema';

/**
 * The default event always exists: a server nobody configured keeps working through it. It takes
 * its values from the environment once, when it is first created; after that the admin edits it
 * like any other event and the environment no longer matters for it.
 *
 * Migration 0006 creates it (existing sessions need an event to point at) with created_at 0,
 * because SQL cannot read the environment; the first start-up after it gives it the environment's
 * values here, and the sessions the migration moved to it the limits they were made under.
 * Idempotent: called every time the database is opened and migrated (db/index.ts).
 */

export const DEFAULT_EVENT_NAME = 'Photobooth';
export const DEFAULT_THEME: EventTheme = { background: '#ffffff', text: '#1f2937', accent: '#f59e0b' };

export function defaultEventValues(config: Config = getConfig()) {
  return {
    name: config.eventName ?? DEFAULT_EVENT_NAME,
    // The booth used to print EVENT_NAME under every picture: the default event keeps doing so.
    // (An event's caption holds at most 80 characters.)
    caption: config.eventName?.slice(0, EVENT_LIMITS.captionMax) ?? null,
    maxPhotos: config.maxUploadedPhotos,
    readyAt: config.readyAtPhotos,
    sessionTtlMinutes: config.sessionTtlMinutes,
    wifi: config.wifiSsid ? { ssid: config.wifiSsid, password: config.wifiPassword ?? '' } : null,
  };
}

/** The default event as first created, in either database (db/index.ts, db/pg.ts). */
export function newDefaultEventRow(config: Config = getConfig(), now = new Date()): NewEventRow {
  return {
    id: randomUUID(),
    isDefault: true,
    locale: 'en',
    theme: DEFAULT_THEME,
    layouts: [...EVENT_LAYOUTS],
    // Part 1 behaviour: a picture goes with its session, and carries no QR code.
    retentionDays: 0,
    printQr: false,
    consentText: null,
    ...defaultEventValues(config),
    createdAt: now,
    updatedAt: now,
  };
}

export function ensureDefaultEvent(db: Db, config: Config = getConfig()): void {
  db.transaction(
    (tx) => {
      const now = new Date();
      const values = defaultEventValues(config);
      const row = tx.select().from(events).where(eq(events.isDefault, true)).get();
      if (!row) {
        // The partial unique index keeps it to one default, whichever process gets here first.
        tx.insert(events).values(newDefaultEventRow(config, now)).onConflictDoNothing().run();
        return;
      }
      if (row.createdAt.getTime() !== 0) return;
      tx.update(events)
        .set({ ...values, createdAt: now, updatedAt: now })
        .where(eq(events.id, row.id))
        .run();
      tx.update(sessions)
        .set({ maxPhotos: values.maxPhotos, readyAt: values.readyAt })
        .where(eq(sessions.eventId, row.id))
        .run();
    },
    { behavior: 'immediate' },
  );
}
