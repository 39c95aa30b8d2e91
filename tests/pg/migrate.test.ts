/**
 * Hosted mode against a real PostgreSQL (a throwaway cluster: tests/support/postgres.ts): the
 * migrations create db/schema.pg.ts, processes starting at once migrate once, the default event
 * exists once, and rows come back through drizzle with the JS shapes the SQLite handle gives.
 */
import fs from 'node:fs';
import { eq, getTableName, is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePgForTests, getPg, MIGRATION_LOCK_ID, migratePg, PG_MIGRATIONS_DIR } from '@/db/pg';
import * as pgSchema from '@/db/schema.pg';
import { parseConfig } from '@/lib/config';
import { type RunningPostgres, startPostgres } from '../support/postgres';

const pgTables: PgTable[] = Object.values(pgSchema as Record<string, unknown>).filter((t): t is PgTable =>
  is(t, PgTable),
);

let pg: RunningPostgres;
let sql: postgres.Sql;
const config = parseConfig({ EVENT_NAME: 'Hosted party', MAX_UPLOADED_PHOTOS: '6', READY_AT_PHOTOS: '4' });

const migrationCount = (
  JSON.parse(fs.readFileSync(`${PG_MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as { entries: unknown[] }
).entries.length;

beforeAll(async () => {
  pg = await startPostgres();
  sql = postgres(pg.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await closePgForTests();
  await sql?.end({ timeout: 5 });
  const pid = pg?.pid;
  await pg?.stop();
  if (pid) expect(() => process.kill(pid, 0)).toThrow();
});

const tableNames = async () =>
  (
    await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`
  ).map((r) => r.table_name);

describe('PostgreSQL migrations', () => {
  it('starts empty, and two migratePg() at the same time both resolve', async () => {
    expect(await tableNames()).toEqual([]);
    await expect(Promise.all([migratePg(pg.url, config), migratePg(pg.url, config)])).resolves.toHaveLength(
      2,
    );
  });

  it('creates every table of db/schema.pg.ts, and nothing else', async () => {
    const expected = pgTables.map((t) => getTableConfig(t).name).sort();
    expect(expected.length).toBeGreaterThan(10);
    expect(await tableNames()).toEqual(expected);
    // The columns too (names per table), as the schema declares them.
    for (const table of pgTables) {
      const cols = await sql<{ column_name: string }[]>`
        select column_name from information_schema.columns
        where table_schema = 'public' and table_name = ${getTableName(table)}`;
      expect(cols.map((c) => c.column_name).sort()).toEqual(
        getTableConfig(table)
          .columns.map((c) => c.name)
          .sort(),
      );
    }
  });

  it('records each migration exactly once, and a second run changes nothing', async () => {
    const rows = () => sql<{ hash: string; created_at: string }[]>`
      select hash, created_at from drizzle.__drizzle_migrations order by id`;
    const before = await rows();
    expect(before).toHaveLength(migrationCount);
    expect(new Set(before.map((r) => r.hash)).size).toBe(migrationCount);
    const events = await sql`select id, updated_at from events`;

    await migratePg(pg.url, config);
    expect(await rows()).toEqual(before);
    expect(await sql`select id, updated_at from events`).toEqual(events);
  });

  it('has the default event exactly once, with the environment values', async () => {
    const rows = await sql<
      { name: string; caption: string | null; max_photos: number; ready_at: number; print_qr: boolean }[]
    >`select * from events where is_default`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: 'Hosted party',
      caption: 'Hosted party',
      max_photos: 6,
      ready_at: 4,
      session_ttl_minutes: 30,
      retention_days: 0,
      print_qr: false,
      locale: 'en',
      theme: { background: '#ffffff', text: '#1f2937', accent: '#f59e0b' },
      layouts: ['grid', 'strip', 'single'],
      wifi: null,
    });
    // The partial unique index refuses a second default.
    await expect(
      sql`insert into events (id, name, is_default, theme, layouts, max_photos, ready_at, session_ttl_minutes,
            retention_days, print_qr, created_at, updated_at)
          values ('second', 'x', true, '{}', '[]', 5, 3, 30, 0, false, now(), now())`,
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('releases its advisory lock when done', async () => {
    const held = await sql`select 1 from pg_locks where locktype = 'advisory' and granted`;
    expect(held).toHaveLength(0);
    // Another session can take it at once.
    const [row] = await sql<{ ok: boolean }[]>`
      select pg_try_advisory_lock(${MIGRATION_LOCK_ID.toString()}::bigint) as ok`;
    expect(row?.ok).toBe(true);
    await sql`select pg_advisory_unlock_all()`;
  });
});

describe('the drizzle pg handle', () => {
  it('writes an event, a session and a photo and reads back the same JS shapes', async () => {
    const db = getPg(pg.url);
    expect(getPg(pg.url)).toBe(db);
    const at = new Date('2026-12-03T10:11:12.345Z');
    const later = new Date(at.getTime() + 30 * 60_000);
    await db.insert(pgSchema.events).values({
      id: 'ev-1',
      name: 'Wedding',
      startsAt: at,
      locale: 'ru',
      theme: { background: '#000000', text: '#ffffff', accent: '#ff0000' },
      layouts: ['strip'],
      maxPhotos: 4,
      readyAt: 2,
      sessionTtlMinutes: 12.5,
      retentionDays: 7,
      printQr: true,
      wifi: { ssid: 'Guests', password: 'p@ss' },
      createdAt: at,
      updatedAt: at,
    });
    await db.insert(pgSchema.sessions).values({
      id: 'se-1',
      type: 'upload',
      createdAt: at,
      updatedAt: at,
      expiresAt: later,
      telegramUserId: 9_007_199_254_740_000,
      data: { nested: { list: [1, 'two'] } },
      eventId: 'ev-1',
      maxPhotos: 4,
      readyAt: 2,
    });
    await db.insert(pgSchema.sessionPhotos).values({
      id: 'ph-1',
      sessionId: 'se-1',
      photoType: 'uploaded',
      orderIndex: 0,
      contentType: 'image/jpeg',
      width: 4032,
      height: 3024,
      bytes: 2_345_678,
      thumbBytes: 34_567,
      sha256: 'a'.repeat(64),
      storageKey: 'photos/se-1/ph-1.jpg',
      telegramUpdateId: 3_000_000_000,
      createdAt: at,
    });

    const [event] = await db.select().from(pgSchema.events).where(eq(pgSchema.events.id, 'ev-1'));
    expect(event).toEqual({
      id: 'ev-1',
      name: 'Wedding',
      isDefault: false,
      startsAt: at,
      endsAt: null,
      locale: 'ru',
      caption: null,
      theme: { background: '#000000', text: '#ffffff', accent: '#ff0000' },
      layouts: ['strip'],
      maxPhotos: 4,
      readyAt: 2,
      sessionTtlMinutes: 12.5,
      retentionDays: 7,
      printQr: true,
      slideshowQr: false,
      consentText: null,
      wifi: { ssid: 'Guests', password: 'p@ss' },
      frameKey: null,
      hostToken: null,
      createdAt: at,
      updatedAt: at,
    });
    expect(event?.startsAt).toBeInstanceOf(Date);
    expect(event?.startsAt?.getTime()).toBe(at.getTime());

    const [session] = await db.select().from(pgSchema.sessions).where(eq(pgSchema.sessions.id, 'se-1'));
    expect(session).toEqual({
      id: 'se-1',
      type: 'upload',
      status: 'pending',
      createdAt: at,
      updatedAt: at,
      expiresAt: later,
      telegramUserId: 9_007_199_254_740_000,
      telegramUsername: null,
      data: { nested: { list: [1, 'two'] } },
      version: 0,
      eventId: 'ev-1',
      boothId: null,
      maxPhotos: 4,
      readyAt: 2,
      layout: null,
    });
    expect(typeof session?.telegramUserId).toBe('number');

    const photos = await db.query.sessionPhotos.findMany({
      where: eq(pgSchema.sessionPhotos.sessionId, 'se-1'),
    });
    expect(photos).toHaveLength(1);
    expect(photos[0]).toMatchObject({ id: 'ph-1', bytes: 2_345_678, telegramUpdateId: 3_000_000_000 });
    expect(photos[0]?.createdAt).toEqual(at);
    expect(photos[0]?.telegramFileId).toBeNull();

    // Deleting the event cascades, as in SQLite.
    await db.delete(pgSchema.events).where(eq(pgSchema.events.id, 'ev-1'));
    expect(await db.select().from(pgSchema.sessionPhotos)).toEqual([]);
  });

  it('keeps working after the server restarts (postgres.js reconnects by itself)', async () => {
    const db = getPg(pg.url);
    const before = pg.pid;
    await pg.restart();
    expect(pg.pid).not.toBe(before);
    expect(() => process.kill(before, 0)).toThrow();
    // The pool's connections were cut: the next query opens a new one.
    const rows = await db.select({ id: pgSchema.events.id }).from(pgSchema.events);
    expect(rows).toHaveLength(1);
  });
});
