import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { eq } from 'drizzle-orm';
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { conn, run, t } from '@/db/connection';
import { findTelegramUpdate } from '@/db/queries';
import {
  type Inbox,
  MAX_ATTEMPTS,
  MAX_STORED_UPDATE_BYTES,
  ownerIsDead,
  startInbox,
  storeTelegramUpdates,
} from '@/lib/telegram/inbox';
import { useTestEnv } from '../support/env';
import { isHosted } from '../support/mode';

// The inbox on its own (no bot): claims, retries, the attempts cap, resuming what a dead process
// held, stale and oversized updates.
useTestEnv();

let nextId = 1;
function update(text = 'hi', chatId?: number): Update {
  return {
    update_id: nextId++,
    message: { text, ...(chatId !== undefined && { chat: { id: chatId, type: 'private' } }) },
  } as unknown as Update;
}

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

async function holdClaim(updateId: number, owner: string): Promise<void> {
  const changed = await run(
    (await conn())
      .update(t.telegramUpdates)
      .set({ claimedBy: owner, claimedUntil: new Date(Date.now() + 3_600_000) })
      .where(eq(t.telegramUpdates.updateId, updateId)),
  );
  expect(changed).toBe(1);
}

describe('the Telegram inbox', () => {
  it('stores an update once: a copy is not new', async () => {
    const u = update();
    expect(await storeTelegramUpdates([u, structuredClone(u)])).toEqual([u.update_id]);
    expect(await storeTelegramUpdates([structuredClone(u)])).toEqual([]);
    expect(await findTelegramUpdate(u.update_id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(JSON.parse((await findTelegramUpdate(u.update_id))?.payload ?? '')).toEqual(u);
  });

  it('two owners draining at once handle every update exactly once, oldest first', async () => {
    const updates = Array.from({ length: 20 }, () => update());
    await storeTelegramUpdates(updates);
    const seen: number[] = [];
    const handle = async (u: Update) => {
      seen.push(u.update_id);
      await new Promise((r) => setTimeout(r, 2));
    };
    const a = startInbox({ handle });
    const b = startInbox({ handle });
    a.kick();
    b.kick();
    a.kick();
    await until(
      async () =>
        (await Promise.all(updates.map((u) => findTelegramUpdate(u.update_id)))).every(
          (r) => r?.state === 'done',
        ),
      'all done',
    );
    await Promise.all([a.idle(), b.idle()]);
    // The first test's update is pending too: it is the oldest.
    expect(seen.filter((id) => id >= (updates[0]?.update_id ?? 0)).sort((x, y) => x - y)).toEqual(
      updates.map((u) => u.update_id),
    );
    expect(new Set(seen).size).toBe(seen.length);
    // Claimed oldest first: the first claim takes update 1. On SQLite claims are taken one at a
    // time, so its handler starts first; on PostgreSQL the 2 × 4 runners claim at once (each passing
    // over the rows the others hold), and which of their handlers starts first is a race.
    expect(seen.slice(0, isHosted() ? 8 : 1)).toContain(1);
    expect(await findTelegramUpdate(updates[0]?.update_id ?? 0)).toMatchObject({
      payload: null,
      attempts: 1,
    });
  });

  it('processes several chats at once, and each chat one update at a time, in order', async () => {
    const chats = [41, 42, 43];
    const updates = [0, 1, 2].flatMap((n) => chats.map((c) => update(`m${n}`, c)));
    await storeTelegramUpdates(updates);
    const log: { chat: number; text: string; event: 'start' | 'end' }[] = [];
    let inFlight = 0;
    let most = 0;
    const inbox = startInbox({
      concurrency: 4,
      handle: async (u) => {
        const m = u.message as unknown as { chat: { id: number }; text: string };
        inFlight++;
        most = Math.max(most, inFlight);
        log.push({ chat: m.chat.id, text: m.text, event: 'start' });
        await new Promise((r) => setTimeout(r, 15));
        log.push({ chat: m.chat.id, text: m.text, event: 'end' });
        inFlight--;
      },
    });
    inbox.kick();
    await until(
      async () =>
        (await Promise.all(updates.map((u) => findTelegramUpdate(u.update_id)))).every(
          (r) => r?.state === 'done',
        ),
      'all done',
    );
    await inbox.idle();
    expect(most).toBeGreaterThan(1);
    for (const chat of chats) {
      const mine = log.filter((e) => e.chat === chat);
      // start m0, end m0, start m1, end m1, ...: never two of one chat at once, always in order.
      expect(mine.map((e) => `${e.event} ${e.text}`)).toEqual([
        'start m0',
        'end m0',
        'start m1',
        'end m1',
        'start m2',
        'end m2',
      ]);
    }
  });

  it('an update that keeps failing is retried with backoff, then given up after the attempts cap', async () => {
    const u = update();
    await storeTelegramUpdates([u]);
    let calls = 0;
    const inbox = startInbox({
      handle: async () => {
        calls++;
        throw new Error('boom');
      },
      retryBaseMs: 1,
    });
    await until(async () => {
      await inbox.scan();
      return (await findTelegramUpdate(u.update_id))?.state === 'failed';
    }, 'the update to be given up');
    await inbox.idle();
    expect(calls).toBe(MAX_ATTEMPTS);
    expect(await findTelegramUpdate(u.update_id)).toMatchObject({ state: 'failed', payload: null });
  });

  it('a bot that is not ready (getMe failing) claims nothing', async () => {
    const u = update();
    await storeTelegramUpdates([u]);
    const inbox = startInbox({
      ready: async () => {
        throw new Error('Telegram unreachable');
      },
      handle: async () => {},
    });
    inbox.kick();
    await new Promise((r) => setTimeout(r, 50));
    await inbox.idle();
    expect(await findTelegramUpdate(u.update_id)).toMatchObject({ state: 'pending', attempts: 0 });
    const ok = startInbox({ handle: async () => {} });
    ok.kick();
    await until(async () => (await findTelegramUpdate(u.update_id))?.state === 'done', 'done once ready');
  });

  it('a scan resumes what a dead process on this machine held, and leaves live or remote claims to their lease', async () => {
    const [fromDead, fromLive, fromRemote] = [update(), update(), update()];
    await storeTelegramUpdates([fromDead, fromLive, fromRemote]);
    const dead = deadPid();
    const host = os.hostname();
    expect(ownerIsDead(`${host}/${dead}/x`)).toBe(true);
    expect(ownerIsDead(`${host}/${process.ppid}/x`)).toBe(false);
    expect(ownerIsDead(`${host}/${process.pid}/x`)).toBe(false);
    expect(ownerIsDead(`another-host/${dead}/x`)).toBe(false);
    await holdClaim(fromDead.update_id, `${host}/${dead}/x`);
    await holdClaim(fromLive.update_id, `${host}/${process.ppid}/x`);
    await holdClaim(fromRemote.update_id, `another-host/${dead}/x`);
    const handled: number[] = [];
    const inbox: Inbox = startInbox({ handle: async (u) => void handled.push(u.update_id) });
    await inbox.scan();
    await until(
      async () => (await findTelegramUpdate(fromDead.update_id))?.state === 'done',
      'the dead claim resumed',
    );
    await inbox.idle();
    expect(handled).toEqual([fromDead.update_id]);
    expect((await findTelegramUpdate(fromLive.update_id))?.state).toBe('pending');
    expect((await findTelegramUpdate(fromRemote.update_id))?.state).toBe('pending');
    // Once a lease runs out, anyone may take the update.
    await run(
      (await conn())
        .update(t.telegramUpdates)
        .set({ claimedUntil: new Date(1) })
        .where(eq(t.telegramUpdates.state, 'pending')),
    );
    await inbox.scan();
    await until(() => handled.length === 3, 'the expired leases taken');
    await inbox.idle();
  });

  it('an update over the size cap is recorded as failed, so copies are dropped, and never handled', async () => {
    const big = update('x'.repeat(MAX_STORED_UPDATE_BYTES));
    expect(await storeTelegramUpdates([big])).toEqual([big.update_id]);
    expect(await findTelegramUpdate(big.update_id)).toMatchObject({ state: 'failed', payload: null });
    expect(await storeTelegramUpdates([big])).toEqual([]);
  });

  it('an update pending for over 24 hours is given up by the first scan, and old finished rows pruned', async () => {
    const stale = update();
    const old = update();
    await storeTelegramUpdates([stale], new Date(Date.now() - 25 * 3_600_000));
    await storeTelegramUpdates([old], new Date(Date.now() - 49 * 3_600_000));
    await run(
      (await conn())
        .update(t.telegramUpdates)
        .set({ state: 'done' })
        .where(eq(t.telegramUpdates.updateId, old.update_id)),
    );
    const handled: number[] = [];
    const inbox = startInbox({ handle: async (u) => void handled.push(u.update_id) });
    await inbox.scan();
    await inbox.idle();
    expect(await findTelegramUpdate(stale.update_id)).toMatchObject({ state: 'failed' });
    expect(await findTelegramUpdate(old.update_id)).toBeUndefined();
    expect(handled).not.toContain(stale.update_id);
  });
});
