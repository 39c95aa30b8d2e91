import fs from 'node:fs';
import path from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openDatabase, runMigrations } from '@/db';
import { makeTempDir, useTestEnv } from './support/env';

/**
 * Upgrading a database of before events (migrations up to 0005, rows in every table): the
 * sessions table is rebuilt without losing a row (no cascade to the photos, changes, Telegram
 * links or upload slots that point at it), every session lands in the default event, and that
 * event takes its values from the environment once.
 */

useTestEnv({
  EVENT_NAME: 'Old booth',
  MAX_UPLOADED_PHOTOS: '4',
  READY_AT_PHOTOS: '2',
  SESSION_TTL_MINUTES: '20',
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A copy of the migrations folder that stops before `tag`. */
function migrationsBefore(tag: string): string {
  const dir = makeTempDir('pb-migrations-');
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'meta'));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8'));
  const cut = journal.entries.findIndex((e: { tag: string }) => e.tag === tag);
  journal.entries = journal.entries.slice(0, cut);
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) {
    fs.copyFileSync(path.join(MIGRATIONS_DIR, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  }
  return dir;
}

const S1 = '0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11';
const S2 = '1c9a7d0f-4d2a-4c8f-8b62-3b8e1a2e5d22';

/** Every row of a table, in a stable order. */
function rows(sqlite: import('better-sqlite3').Database, table: string): Record<string, unknown>[] {
  return sqlite.prepare(`select * from "${table}" order by rowid`).all() as Record<string, unknown>[];
}

describe('migration 0006 (events and booths) on a database at 0005', () => {
  it('keeps every row of every table, and moves the sessions to the default event', () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    const db = openDatabase(path.join(dataDir, 'photobooth.db'));
    migrate(db, { migrationsFolder: migrationsBefore('0006_events_and_booths') });
    const sqlite = db.$client;
    const now = Date.now();
    const insertSession = sqlite.prepare(
      `insert into sessions (id, type, status, created_at, updated_at, expires_at, telegram_user_id, telegram_username, data, version)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insertSession.run(S1, 'upload', 'ready', now, now, now + 600_000, 42, 'guest', '{"a":1}', 2);
    insertSession.run(S2, 'download', 'pending', now - 1000, now - 1000, now - 1, null, null, '{}', 0);
    const insertPhoto = sqlite.prepare(
      `insert into session_photos (id, session_id, photo_type, order_index, content_type, width, height,
       bytes, thumb_bytes, sha256, storage_key, telegram_file_id, telegram_update_id, created_at)
       values (?, ?, ?, ?, 'image/jpeg', 10, 10, 1, 1, 'x', ?, ?, ?, ?)`,
    );
    insertPhoto.run('5d1e6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11', S1, 'uploaded', 0, 'k1', null, null, now);
    insertPhoto.run('6e2f7d0f-4d2a-4c8f-8b62-3b8e1a2e5d22', S1, 'uploaded', 1, 'k2', 'tg-file', 900, now);
    insertPhoto.run('7f3a8e1a-5e3b-4d9a-9c73-4c9f2b3f6e33', S2, 'result', 0, 'k3', null, null, now);
    sqlite
      .prepare(
        `insert into session_changes (session_id, version, snapshot) values (?, 2, '{}'), (?, 1, '{}')`,
      )
      .run(S1, S1);
    sqlite
      .prepare(
        `insert into telegram_links (session_id, start_token, chat_id, user_id, language_code, created_at, linked_at, delivered_result_id)
         values (?, 'start-1', 77, 42, 'ru', ?, ?, null)`,
      )
      .run(S1, now, now);
    sqlite
      .prepare(
        `insert into telegram_updates (update_id, received_at, payload, chat_id, state, attempts, claimed_by, claimed_until, processed_at)
         values (900, ?, null, 77, 'done', 1, null, null, ?), (901, ?, '{"update_id":901}', 77, 'pending', 0, 'w1', ?, null)`,
      )
      .run(now, now, now, now + 30_000);
    sqlite
      .prepare('insert into upload_slots (id, session_id, expires_at) values (?, ?, ?)')
      .run('slot-1', S1, now + 600_000);
    sqlite
      .prepare(
        `insert into auth_sessions (id, role, token_tag, created_at, last_seen_at, expires_at) values ('l', 'admin', 't', ?, ?, ?)`,
      )
      .run(now, now, now + 600_000);
    sqlite
      .prepare(`insert into rate_limits (key, count, reset_at) values ('login:1.2.3.4', 3, ?)`)
      .run(now + 600_000);

    const untouched = [
      'session_photos',
      'session_changes',
      'telegram_links',
      'telegram_updates',
      'upload_slots',
      'rate_limits',
    ];
    const before = Object.fromEntries(untouched.map((t) => [t, rows(sqlite, t)]));
    const sessionsBefore = rows(sqlite, 'sessions');
    const loginsBefore = rows(sqlite, 'auth_sessions');

    runMigrations(db);
    runMigrations(db); // idempotent

    const events = sqlite.prepare('select * from events').all() as Record<string, unknown>[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: 'Old booth', is_default: 1, max_photos: 4, ready_at: 2 });
    expect(events[0]?.session_ttl_minutes).toBe(20);
    expect(Number(events[0]?.created_at)).toBeGreaterThan(0);

    // Every column of every session kept, plus its event and the event's limits.
    expect(rows(sqlite, 'sessions')).toEqual(
      sessionsBefore.map((s) => ({
        ...s,
        event_id: events[0]?.id,
        booth_id: null,
        max_photos: 4,
        ready_at: 2,
        // Added by a later migration (0008): no layout chosen on the phone yet.
        layout: null,
      })),
    );
    // Added by a later migration (0012): no consent given in Telegram yet.
    const later: Record<string, Record<string, unknown>> = { telegram_links: { consented_at: null } };
    for (const t of untouched)
      expect(rows(sqlite, t), t).toEqual(before[t]?.map((r) => ({ ...r, ...later[t] })));
    expect(rows(sqlite, 'auth_sessions')).toEqual(loginsBefore.map((l) => ({ ...l, booth_id: null })));
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);

    // Foreign keys are on again, with their actions: deleting a session cascades to what it has.
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    sqlite.prepare('delete from sessions where id = ?').run(S1);
    for (const t of ['session_photos', 'session_changes', 'telegram_links', 'upload_slots']) {
      expect(sqlite.prepare(`select count(*) n from "${t}" where session_id = ?`).get(S1), t).toEqual({
        n: 0,
      });
    }
    expect(sqlite.prepare('select count(*) n from session_photos').get()).toEqual({ n: 1 });
    // Deleting the event cascades to its sessions.
    sqlite.prepare('delete from events').run();
    expect(sqlite.prepare('select count(*) n from sessions').get()).toEqual({ n: 0 });
    expect(sqlite.prepare('select count(*) n from session_photos').get()).toEqual({ n: 0 });
    expect(() =>
      sqlite
        .prepare("insert into booths (id, event_id, name, created_at) values ('b', 'nope', 'B', 0)")
        .run(),
    ).toThrow(/FOREIGN KEY/);
    sqlite.close();
  });
});
