import { sessionsUpdatedAt } from '@/db/queries';
import { deliver, watchedSessionIds } from './events';

/**
 * Changes made by another process on the same database (the Telegram bot run by `npm run bot`)
 * never pass through this process's event bus. This watcher looks at `updated_at` of the sessions
 * someone here is watching and tells their streams when it moved. Only this process's listeners
 * hear it (each process runs its own watcher), so nothing is relayed twice.
 */
const g = globalThis as unknown as { __pbChangeWatcher?: ReturnType<typeof setInterval> };

export function startChangeWatcher(intervalMs = 1500): void {
  if (g.__pbChangeWatcher) return;
  const seen = new Map<string, number>();
  g.__pbChangeWatcher = setInterval(async () => {
    try {
      const ids = watchedSessionIds();
      const now = Date.now();
      for (const { id, updatedAt } of await sessionsUpdatedAt(ids)) {
        const before = seen.get(id);
        // A session seen for the first time may have changed just after its stream sent it.
        if (before === undefined ? updatedAt > now - 2 * intervalMs : updatedAt > before) {
          deliver({ kind: 'changed', sessionId: id });
        }
        seen.set(id, updatedAt);
      }
      for (const id of seen.keys()) if (!ids.includes(id)) seen.delete(id);
    } catch (err) {
      console.error('[events] change watcher failed:', err);
    }
  }, intervalMs);
  g.__pbChangeWatcher.unref();
}

export function stopChangeWatcher(): void {
  if (g.__pbChangeWatcher) clearInterval(g.__pbChangeWatcher);
  g.__pbChangeWatcher = undefined;
}
