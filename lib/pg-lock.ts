import { getPg } from '@/db/pg';

/**
 * "One at a time across instances" (hosted mode): runs `fn` only if this process gets the
 * PostgreSQL session-level advisory lock `key` at once (pg_try_advisory_lock, no waiting), on a
 * connection reserved from the process pool (getPg(url)) for the duration, so the lock, and its
 * release, stay on one session. Another holder: `{ ran: false }`, `fn` not called.
 *
 * The lock lives as long as that connection: should it drop while `fn` runs, PostgreSQL releases
 * the lock and another instance may start too. Use it for work that is safe, only wasteful, to run
 * twice (the sweep), not as a mutual exclusion for correctness. Keys: a constant bigint of your own
 * (see MIGRATION_LOCK_ID in db/pg.ts), so it clashes with nobody else's lock.
 *
 * Rejects when PostgreSQL cannot be reached, or with what `fn` threw (the lock released).
 */
export async function withPgAdvisoryLock<T>(
  url: string,
  key: bigint | number,
  fn: () => Promise<T> | T,
): Promise<{ ran: true; result: T } | { ran: false }> {
  const k = BigInt(key).toString();
  const reserved = await getPg(url).$client.reserve();
  try {
    const [row] = await reserved<{ locked: boolean }[]>`select pg_try_advisory_lock(${k}::bigint) as locked`;
    if (!row?.locked) return { ran: false };
    try {
      return { ran: true, result: await fn() };
    } finally {
      try {
        await reserved`select pg_advisory_unlock(${k}::bigint)`;
      } catch (err) {
        // The connection is gone, and with it the lock.
        console.error('[pg-lock] unlock failed (the lock went with its connection):', err);
      }
    }
  } finally {
    reserved.release();
  }
}
