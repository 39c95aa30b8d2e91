import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Update } from 'grammy/types';
import {
  claimNextTelegramUpdate,
  failStaleTelegramUpdates,
  finishTelegramUpdate,
  heldTelegramUpdates,
  insertTelegramUpdates,
  type NewTelegramUpdate,
  pruneTelegramUpdates,
  releaseTelegramUpdate,
  renewTelegramClaim,
} from '@/db/queries';
import type { TelegramUpdateRow } from '@/db/schema';

/**
 * The inbox of Telegram updates (telegram_updates). An update is stored before Telegram is told
 * it arrived — the webhook answers 200 after the insert, polling asks for the next offset after
 * the batch is stored — and processed from here: claimed under a lease, handled, marked done.
 * A process that dies mid-update leaves the update pending; the next scan (at once for a dead
 * process on this machine, else when its lease runs out) processes it again. Processing is thus
 * at least once; its effects are idempotent by update_id (a photo row remembers its update), so
 * a photo is stored exactly once.
 */

/** The largest update kept (its JSON). Telegram's message updates are a few KiB. */
export const MAX_STORED_UPDATE_BYTES = 256 * 1024;
/** How long a claim holds without being renewed; renewed every third of it while working. */
const LEASE_MS = 60_000;
/** Attempts at one update before it is given up (marked failed and logged). */
export const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
/** Telegram drops an update nobody fetched in 24 h: one pending longer is stale, not worth a reply. */
const STALE_MS = 24 * 60 * 60_000;
/** Finished rows are kept this long, to drop copies Telegram sends again. */
const KEEP_MS = 48 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;
/** Several guests' photos at once; the image pipeline bounds the heavy part on its own. */
const CONCURRENCY = 4;

/** Stores updates durably; returns the ids not seen before. Throws when the database refuses. */
export async function storeTelegramUpdates(updates: Update[], now = new Date()): Promise<number[]> {
  const rows: NewTelegramUpdate[] = updates.map((u) => {
    const payload = JSON.stringify(u);
    const chatId =
      (u.message ?? u.edited_message)?.chat?.id ??
      u.callback_query?.message?.chat.id ??
      u.callback_query?.from.id ??
      null;
    if (Buffer.byteLength(payload) <= MAX_STORED_UPDATE_BYTES)
      return { updateId: u.update_id, chatId, payload };
    console.error(
      `[telegram] update ${u.update_id} is ${Buffer.byteLength(payload)} bytes, over ${MAX_STORED_UPDATE_BYTES}: recorded as failed, not handled`,
    );
    return { updateId: u.update_id, chatId, payload: null };
  });
  return await insertTelegramUpdates(rows, now);
}

export interface InboxOptions {
  /** Handles one update; a throw leaves it pending for a later attempt. */
  handle: (update: Update) => Promise<void>;
  /** Called before claiming anything (grammY's getMe); a throw postpones the whole drain. */
  ready?: () => Promise<void>;
  leaseMs?: number;
  retryBaseMs?: number;
  /** Updates processed at once by this process (each chat's still one at a time, in order). */
  concurrency?: number;
}

export interface Inbox {
  /** Processes whatever is pending now, in the background (up to `concurrency` at once). */
  kick: () => void;
  /**
   * Frees the claims of processes that died, gives up stale updates, prunes old rows, then
   * processes every pending update, oldest first. At start-up and on every scan.
   */
  scan: () => Promise<void>;
  stop: () => void;
  /** Resolves when nothing is being processed. */
  idle: () => Promise<void>;
}

/** This process's name in claimed_by: host/pid/random (a restarted process is another owner). */
function ownerId(): string {
  return `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** True when the owner was a process on this machine that no longer exists. */
export function ownerIsDead(owner: string): boolean {
  const [host, pidText] = owner.split('/');
  const pid = Number(pidText);
  // Another machine or container (another pid namespace): only its lease can tell.
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function startInbox(opts: InboxOptions): Inbox {
  const owner = ownerId();
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const retryBaseMs = opts.retryBaseMs ?? RETRY_BASE_MS;
  const concurrency = opts.concurrency ?? CONCURRENCY;
  let stopped = false;
  let active = 0;
  const runners = new Set<Promise<void>>();
  let notReadyLoggedAt = 0;
  let prunedAt = 0;

  /** Starts runners up to the concurrency; each takes claimable updates until there is none. */
  const kick = () => {
    while (!stopped && active < concurrency) {
      active++;
      const run = runner();
      runners.add(run);
      void run.finally(() => runners.delete(run));
    }
  };

  async function runner(): Promise<void> {
    try {
      // Off the caller's stack: the webhook answers first.
      await new Promise((r) => setImmediate(r));
      try {
        await opts.ready?.();
      } catch (err) {
        if (Date.now() - notReadyLoggedAt > 10_000) {
          notReadyLoggedAt = Date.now();
          console.error(
            `[telegram] the bot is not ready (${(err as Error).message}); updates wait for the next scan`,
          );
        }
        return;
      }
      // An update of a chat in progress is not claimable: runners never work on one chat together.
      while (!stopped) {
        const now = new Date();
        const row = await claimNextTelegramUpdate(owner, now, new Date(now.getTime() + leaseMs));
        // Returning runs `finally` at once, in the same tick as the claim that found nothing: a
        // kick for an update stored after it starts a new runner.
        if (!row) return;
        await processRow(row);
      }
    } catch (err) {
      console.error('[telegram] processing the inbox failed:', err);
    } finally {
      active--;
    }
  }

  async function processRow(row: TelegramUpdateRow): Promise<void> {
    const id = row.updateId;
    // Claimed this often and never finished: each attempt took its process down (or hung it).
    if (row.attempts > MAX_ATTEMPTS) {
      await finishTelegramUpdate(id, owner, 'failed', new Date());
      console.error(`[telegram] update ${id} was claimed ${MAX_ATTEMPTS} times without finishing: given up`);
      return;
    }
    let update: Update;
    try {
      update = JSON.parse(row.payload ?? '') as Update;
    } catch {
      await finishTelegramUpdate(id, owner, 'failed', new Date());
      console.error(`[telegram] update ${id} has no readable payload: given up`);
      return;
    }
    const heartbeat = setInterval(async () => {
      try {
        await renewTelegramClaim(id, owner, new Date(Date.now() + leaseMs));
      } catch (err) {
        console.error(`[telegram] could not renew the claim on update ${id}:`, (err as Error).message);
      }
    }, leaseMs / 3);
    heartbeat.unref();
    try {
      await opts.handle(update);
      clearInterval(heartbeat);
      await finishTelegramUpdate(id, owner, 'done', new Date());
    } catch (err) {
      clearInterval(heartbeat);
      if (row.attempts >= MAX_ATTEMPTS) {
        await finishTelegramUpdate(id, owner, 'failed', new Date());
        console.error(`[telegram] update ${id} failed ${row.attempts} times: given up.`, err);
        return;
      }
      const delay = Math.min(RETRY_MAX_MS, retryBaseMs * 2 ** (row.attempts - 1));
      console.error(
        `[telegram] update ${id} failed (attempt ${row.attempts} of ${MAX_ATTEMPTS}), retrying in ${delay / 1000} s:`,
        err,
      );
      await releaseTelegramUpdate(id, owner, new Date(Date.now() + delay));
    }
  }

  const scan = async () => {
    if (stopped) return;
    try {
      const now = new Date();
      for (const held of await heldTelegramUpdates(now)) {
        if (
          ownerIsDead(held.claimedBy) &&
          (await releaseTelegramUpdate(held.updateId, held.claimedBy, null))
        ) {
          console.warn(
            `[telegram] update ${held.updateId} was left unfinished by a stopped process: resuming it`,
          );
        }
      }
      if (now.getTime() - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = now.getTime();
        const stale = await failStaleTelegramUpdates(new Date(now.getTime() - STALE_MS), now);
        if (stale.length)
          console.error(`[telegram] updates pending for over 24 h given up: ${stale.join(', ')}`);
        await pruneTelegramUpdates(new Date(now.getTime() - KEEP_MS));
      }
    } catch (err) {
      console.error('[telegram] inbox scan failed:', err);
    }
    kick();
  };

  return {
    kick,
    scan,
    stop: () => {
      stopped = true;
    },
    idle: async () => {
      while (runners.size > 0) await Promise.allSettled([...runners]);
    },
  };
}
