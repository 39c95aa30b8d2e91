import fs from 'node:fs';
import path from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openDatabase, runMigrations } from '@/db';
import { makeTempDir, useTestEnv } from './support/env';

/**
 * Upgrading a database of before events (migrations up to 0004, live sessions with photos): the
 * sessions table is rebuilt without losing a row (no cascade to the photos), every session lands
 * in the default event, and that event takes its values from the environment once.
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

describe('migration 0005 (events and booths) on an existing database', () => {
  it('keeps every session, photo and change, and moves them to the default event', () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    const db = openDatabase(path.join(dataDir, 'photobooth.db'));
    migrate(db, { migrationsFolder: migrationsBefore('0005_events_and_booths') });
    const sqlite = db.$client;
    const now = Date.now();
    sqlite
      .prepare(
        `insert into sessions (id, type, status, created_at, updated_at, expires_at, data, version)
         values (?, 'upload', 'ready', ?, ?, ?, '{"a":1}', 2)`,
      )
      .run('0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11', now, now, now + 600_000);
    sqlite
      .prepare(
        `insert into session_photos (id, session_id, photo_type, order_index, content_type, width, height,
         bytes, thumb_bytes, sha256, storage_key, created_at) values (?, ?, 'uploaded', 0, 'image/jpeg', 10, 10, 1, 1, 'x', 'k', ?)`,
      )
      .run('5d1e6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11', '0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11', now);
    sqlite
      .prepare(`insert into session_changes (session_id, version, snapshot) values (?, 2, '{}')`)
      .run('0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11');
    sqlite
      .prepare(
        `insert into auth_sessions (id, role, token_tag, created_at, last_seen_at, expires_at) values ('l', 'admin', 't', ?, ?, ?)`,
      )
      .run(now, now, now + 600_000);

    runMigrations(db);
    runMigrations(db); // idempotent

    const events = sqlite.prepare('select * from events').all() as Record<string, unknown>[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: 'Old booth', is_default: 1, max_photos: 4, ready_at: 2 });
    expect(events[0]?.session_ttl_minutes).toBe(20);
    expect(Number(events[0]?.created_at)).toBeGreaterThan(0);
    expect(
      sqlite
        .prepare('select id, event_id, booth_id, max_photos, ready_at, status, version from sessions')
        .all(),
    ).toEqual([
      {
        id: '0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11',
        event_id: events[0]?.id,
        booth_id: null,
        max_photos: 4,
        ready_at: 2,
        status: 'ready',
        version: 2,
      },
    ]);
    expect(sqlite.prepare('select count(*) n from session_photos').get()).toEqual({ n: 1 });
    expect(sqlite.prepare('select count(*) n from session_changes').get()).toEqual({ n: 1 });
    expect(sqlite.prepare('select booth_id from auth_sessions').all()).toEqual([{ booth_id: null }]);
    // Foreign keys are on again, with their actions: deleting the session cascades to its photos.
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    sqlite.prepare('delete from sessions').run();
    expect(sqlite.prepare('select count(*) n from session_photos').get()).toEqual({ n: 0 });
    expect(() =>
      sqlite
        .prepare("insert into booths (id, event_id, name, created_at) values ('b', 'nope', 'B', 0)")
        .run(),
    ).toThrow(/FOREIGN KEY/);
    sqlite.close();
  });
});
