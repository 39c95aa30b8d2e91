/**
 * Live events across instances (lib/pg-bus.ts) against a real PostgreSQL: two buses in this
 * process stand for two instances. What one publishes reaches the other, in order, with the id and
 * the version; malformed notifications are ignored; after PostgreSQL restarts the listener comes
 * back by itself and the streams watched here are told to re-read; publishing while PostgreSQL is
 * down does not throw. And the advisory lock (lib/pg-lock.ts) lets exactly one of two run.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closePgForTests } from '@/db/pg';
import { publish, type SessionEvent, subscribe } from '@/lib/events';
import {
  createPgBus,
  currentPgBus,
  GALLERY_CHANNEL,
  type PgBus,
  pgPublish,
  publishGalleryChange,
  SESSION_CHANNEL,
  startPgBus,
  stopPgBus,
} from '@/lib/pg-bus';
import { withPgAdvisoryLock } from '@/lib/pg-lock';
import { sleep } from '../../bench/lib/util';
import { type RunningPostgres, startPostgres } from '../support/postgres';

let pg: RunningPostgres;
let sql: postgres.Sql;

/** What a bus heard. */
function recorder() {
  const heard = { events: [] as SessionEvent[], galleries: [] as (string | undefined)[], resyncs: 0 };
  return {
    heard,
    handlers: {
      deliver: (e: SessionEvent) => heard.events.push(e),
      gallery: (id: string | undefined) => heard.galleries.push(id),
      resync: () => {
        heard.resyncs++;
      },
    },
  };
}

/** Waits (at most `ms`, polling every 20 ms) until `ok()`; false when it never was. */
async function until(ok: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < ms / 20 + 1 && Date.now() < deadline; i++) {
    if (ok()) return true;
    await sleep(20);
  }
  return ok();
}

const buses: PgBus[] = [];
async function bus(handlers: ReturnType<typeof recorder>['handlers']): Promise<PgBus> {
  const b = await createPgBus(pg.url, handlers, { connectTimeoutS: 3 });
  buses.push(b);
  return b;
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = postgres(pg.url, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await stopPgBus();
  for (const b of buses) await b.stop();
  await closePgForTests();
  await sql?.end({ timeout: 5 });
  await pg?.stop();
});

describe('the PostgreSQL bus', () => {
  it('carries 50 quick publishes from one instance to the other, in order, with id and version', async () => {
    const a = recorder();
    const b = recorder();
    const busA = await bus(a.handlers);
    await bus(b.handlers);
    const sent: SessionEvent[] = [];
    for (let v = 1; v <= 50; v++) {
      const e: SessionEvent = { kind: v === 50 ? 'gone' : 'changed', sessionId: `s-${v % 3}`, version: v };
      sent.push(e);
      void busA.publish(e);
    }
    expect(await until(() => b.heard.events.length >= 50)).toBe(true);
    expect(b.heard.events).toEqual(sent);
    // A's own echoes are skipped (publish() in lib/events.ts has delivered them locally already).
    await sleep(200);
    expect(a.heard.events).toEqual([]);
    expect(b.heard.events).toHaveLength(50);
  });

  it('carries gallery changes, and an event without a version has none', async () => {
    const a = recorder();
    const b = recorder();
    const busA = await bus(a.handlers);
    await bus(b.handlers);
    await busA.publishGallery('ev-1');
    await busA.publish({ kind: 'changed', sessionId: 'no-version' });
    expect(await until(() => b.heard.events.length >= 1 && b.heard.galleries.length >= 1)).toBe(true);
    expect(b.heard.galleries).toEqual(['ev-1']);
    expect(b.heard.events).toEqual([{ kind: 'changed', sessionId: 'no-version' }]);
    expect(a.heard.galleries).toEqual([]);
  });

  it('ignores malformed notifications and goes on', async () => {
    const b = recorder();
    const busB = await bus(b.handlers);
    const bad = [
      'not json',
      '',
      '42',
      'null',
      '{"s":1,"k":"changed"}',
      '{"s":"x","k":"bogus"}',
      '{"s":"","k":"changed"}',
      '{"s":"x","k":"changed","v":-1}',
      '{"s":"x","k":"changed","v":"7"}',
      `{"s":"${'x'.repeat(300)}","k":"changed"}`,
    ];
    for (const payload of bad) await sql`select pg_notify(${SESSION_CHANNEL}, ${payload})`;
    await sql`select pg_notify(${GALLERY_CHANNEL}, ${'{"e":5}'})`;
    await sql`select pg_notify(${GALLERY_CHANNEL}, ${'{}'})`;
    // A good one after them (NOTIFYs of one connection arrive in order): heard, and nothing else.
    await sql`select pg_notify(${SESSION_CHANNEL}, ${'{"s":"ok","k":"changed","v":3,"o":"someone-else"}'})`;
    await sql`select pg_notify(${GALLERY_CHANNEL}, ${'{"e":"ev-ok"}'})`;
    expect(await until(() => b.heard.galleries.length >= 1)).toBe(true);
    expect(b.heard.events).toEqual([{ kind: 'changed', sessionId: 'ok', version: 3 }]);
    expect(b.heard.galleries).toEqual(['ev-ok']);
    expect(busB.stats.malformed).toBe(bad.length + 2);
  });

  it('the process bus: publish() reaches the other instance once, and what it sends reaches our listeners', async () => {
    await startPgBus(pg.url);
    await startPgBus(pg.url); // idempotent
    const local: SessionEvent[] = [];
    const unsubscribe = subscribe('watched-1', (e) => local.push(e));
    try {
      const other = recorder();
      const busOther = await bus(other.handlers);

      publish({ kind: 'changed', sessionId: 'watched-1', version: 7 });
      // Delivered here at once, synchronously, before any round trip.
      expect(local).toEqual([{ kind: 'changed', sessionId: 'watched-1', version: 7 }]);
      expect(await until(() => other.heard.events.length >= 1)).toBe(true);
      expect(other.heard.events).toEqual([{ kind: 'changed', sessionId: 'watched-1', version: 7 }]);

      await busOther.publish({ kind: 'gone', sessionId: 'watched-1', version: 8 });
      expect(await until(() => local.length >= 2)).toBe(true);
      // Our own echo (version 7) was skipped: exactly the two events.
      await sleep(200);
      expect(local).toEqual([
        { kind: 'changed', sessionId: 'watched-1', version: 7 },
        { kind: 'gone', sessionId: 'watched-1', version: 8 },
      ]);

      // pgPublish sends to the others only; the gallery change too.
      await pgPublish({ kind: 'changed', sessionId: 'other-session', version: 1 });
      publishGalleryChange('ev-9');
      expect(await until(() => other.heard.events.length >= 2 && other.heard.galleries.length >= 1)).toBe(
        true,
      );
      expect(other.heard.events[1]).toEqual({ kind: 'changed', sessionId: 'other-session', version: 1 });
      expect(other.heard.galleries).toEqual(['ev-9']);
      expect(local).toHaveLength(2);
    } finally {
      unsubscribe();
    }
  });

  it('after PostgreSQL went down and came back: publishing did not throw, the listener is back by itself and watched streams re-read', async () => {
    await startPgBus(pg.url);
    const processBus = currentPgBus();
    expect(processBus).toBeDefined();
    const local: SessionEvent[] = [];
    const unsubscribe = subscribe('watched-2', (e) => local.push(e));
    try {
      const a = recorder();
      const b = recorder();
      const busA = await bus(a.handlers);
      const busB = await bus(b.handlers);
      // Both publishing connections are open before the outage.
      await busA.publish({ kind: 'changed', sessionId: 'before', version: 1 });
      expect(await until(() => b.heard.events.length >= 1)).toBe(true);

      // Down: a fast shutdown of the postmaster, and wait (bounded) until it is gone.
      const pid = pg.pid;
      process.kill(pid, 'SIGINT');
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      expect(await until(() => !alive(), 15_000)).toBe(true);

      // Publishing while it is down resolves (logged, counted), it does not throw.
      const failuresBefore = busA.stats.publishFailures;
      await expect(busA.publish({ kind: 'changed', sessionId: 'lost', version: 2 })).resolves.toBeUndefined();
      expect(busA.stats.publishFailures).toBe(failuresBefore + 1);
      expect(() => publish({ kind: 'changed', sessionId: 'watched-2', version: 3 })).not.toThrow();
      await expect(pgPublish({ kind: 'changed', sessionId: 'lost-too' })).resolves.toBeUndefined();
      publishGalleryChange('ev-down');
      expect(local).toEqual([{ kind: 'changed', sessionId: 'watched-2', version: 3 }]);
      expect(b.heard.resyncs).toBe(0);

      // Up again (restart() finds the server stopped and starts it on the same port and data).
      await pg.restart();
      expect(pg.pid).not.toBe(pid);
      const upAt = Date.now();

      // The listeners re-subscribed by themselves: B is told to resync and its galleries to poll ...
      expect(await until(() => b.heard.resyncs >= 1 && b.heard.galleries.includes(undefined), 15_000)).toBe(
        true,
      );
      expect(busB.stats.reconnects).toBeGreaterThanOrEqual(1);
      // Soon: the reconnect backoff is capped at 2 s (postgres.js's own grows to 20 s).
      expect(Date.now() - upAt).toBeLessThan(5000);
      // ... and the process bus gave the session watched here a catch-up 'changed' (no version).
      expect(await until(() => local.length >= 2, 15_000)).toBe(true);
      expect(local[1]).toEqual({ kind: 'changed', sessionId: 'watched-2' });
      expect(processBus?.stats.reconnects).toBeGreaterThanOrEqual(1);

      // Nothing sent while it was down arrived; what is sent now does.
      expect(b.heard.events.map((e) => e.sessionId)).toEqual(['before']);
      await busA.publish({ kind: 'changed', sessionId: 'after', version: 4 });
      expect(await until(() => b.heard.events.length >= 2)).toBe(true);
      expect(b.heard.events[1]).toEqual({ kind: 'changed', sessionId: 'after', version: 4 });
    } finally {
      unsubscribe();
    }
  });

  it('stopPgBus() returns publish() to the process alone', async () => {
    await startPgBus(pg.url);
    const other = recorder();
    await bus(other.handlers);
    await stopPgBus();
    expect(currentPgBus()).toBeUndefined();
    publish({ kind: 'changed', sessionId: 'local-only', version: 1 });
    await pgPublish({ kind: 'changed', sessionId: 'local-only-2' });
    await sleep(300);
    expect(other.heard.events).toEqual([]);
  });
});

describe('withPgAdvisoryLock', () => {
  const KEY = 0x70622d74657374n;

  it('runs exactly one of two concurrent callers, then lets the next one run', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let running = 0;
    const work = async () => {
      running++;
      await gate;
      return 'swept';
    };
    const first = withPgAdvisoryLock(pg.url, KEY, work);
    const second = withPgAdvisoryLock(pg.url, KEY, work);
    // The loser answers without waiting for the winner.
    try {
      const loser = await Promise.race([first, second]);
      expect(loser).toEqual({ ran: false });
      // The winner's answer may be read after the loser's: it starts its work a moment later.
      await vi.waitFor(() => expect(running).toBe(1), { timeout: 5000, interval: 10 });
    } finally {
      release();
    }
    const results = await Promise.all([first, second]);
    expect(results.filter((r) => r.ran)).toEqual([{ ran: true, result: 'swept' }]);
    expect(running).toBe(1);

    const held = await sql`select 1 from pg_locks where locktype = 'advisory' and granted`;
    expect(held).toHaveLength(0);
    expect(await withPgAdvisoryLock(pg.url, Number(KEY & 0xffffn), () => 1)).toEqual({
      ran: true,
      result: 1,
    });
  });

  it('releases the lock when the work throws', async () => {
    await expect(
      withPgAdvisoryLock(pg.url, KEY, () => {
        throw new Error('sweep failed');
      }),
    ).rejects.toThrow('sweep failed');
    expect(await withPgAdvisoryLock(pg.url, KEY, async () => 'again')).toEqual({
      ran: true,
      result: 'again',
    });
  });

  it('does not run while another session holds the key', async () => {
    const [row] = await sql<{ ok: boolean }[]>`select pg_try_advisory_lock(${KEY.toString()}::bigint) as ok`;
    expect(row?.ok).toBe(true);
    try {
      let ran = false;
      expect(
        await withPgAdvisoryLock(pg.url, KEY, () => {
          ran = true;
        }),
      ).toEqual({ ran: false });
      expect(ran).toBe(false);
    } finally {
      await sql`select pg_advisory_unlock(${KEY.toString()}::bigint)`;
    }
  });
});
