import { subscribeAll } from './events';
import { serializeSessionSummary, sessionSummaries } from './sessions';
import type { SessionsChangedJson } from './shared/wire';
import { eventStream } from './sse';

/**
 * The admin page's live stream of every session (text/event-stream):
 *   event: changed  data: {"ids", "sessions"}   the sessions that changed, at most one per COALESCE_MS
 *   event: reload   data: {}                     more changed than one event should carry: re-read the list
 *   : ping                                       every HEARTBEAT_MS (lib/sse.ts)
 * An id of `ids` missing from `sessions` is gone (expired or deleted). A burst (a cleanup, a
 * busy party) costs one query and one event per half second, whatever its size.
 */
export const COALESCE_MS = 500;
/** More changed sessions than this in one window: say "reload" instead of listing them. */
export const MAX_CHANGED_IDS = 100;

export function sessionListEventStream(baseUrl: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  return eventStream(signal, ({ write }) => {
    const pending = new Set<string>();
    let overflow = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastSent = 0;

    const flush = () => {
      timer = undefined;
      lastSent = Date.now();
      const ids = [...pending];
      pending.clear();
      const reload = overflow;
      overflow = false;
      if (reload) return write('event: reload\ndata: {}\n\n');
      let body: SessionsChangedJson;
      try {
        body = { ids, sessions: sessionSummaries(ids).map((s) => serializeSessionSummary(s, baseUrl)) };
      } catch (err) {
        console.error('[admin-events] could not read the changed sessions', err);
        return write('event: reload\ndata: {}\n\n');
      }
      write(`event: changed\ndata: ${JSON.stringify(body)}\n\n`);
    };

    const unsubscribe = subscribeAll((event) => {
      if (!overflow) {
        pending.add(event.sessionId);
        if (pending.size > MAX_CHANGED_IDS) {
          overflow = true;
          pending.clear();
        }
      }
      timer ??= setTimeout(flush, Math.max(0, lastSent + COALESCE_MS - Date.now()));
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  });
}
