import { subscribeAll } from './events';
import { serializeSessionSummary, sessionSummaries } from './sessions';
import type { SessionsChangedJson } from './shared/wire';
import { HEARTBEAT_MS } from './sse';

/**
 * The admin page's live stream of every session (text/event-stream):
 *   event: changed  data: {"ids", "sessions"}   the sessions that changed, at most one per COALESCE_MS
 *   event: reload   data: {}                     more changed than one event should carry: re-read the list
 *   : ping                                       every HEARTBEAT_MS
 * An id of `ids` missing from `sessions` is gone (expired or deleted). A burst (a cleanup, a
 * busy party) costs one query and one event per half second, whatever its size.
 */
export const COALESCE_MS = 500;
/** More changed sessions than this in one window: say "reload" instead of listing them. */
export const MAX_CHANGED_IDS = 100;
const MAX_BACKLOG_BYTES = 256 * 1024;
const RELOAD = 'event: reload\ndata: {}\n\n';

export function sessionListEventStream(baseUrl: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let stop = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        const pending = new Set<string>();
        let overflow = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let lastSent = 0;

        const send = (text: string) => {
          if (closed) return;
          // A dashboard that stopped reading is let go; its EventSource reconnects and re-reads.
          if ((controller.desiredSize ?? 0) < -MAX_BACKLOG_BYTES) {
            stop();
            return;
          }
          controller.enqueue(enc.encode(text));
        };
        const flush = async () => {
          timer = undefined;
          lastSent = Date.now();
          const ids = [...pending];
          pending.clear();
          if (overflow) {
            overflow = false;
            return send(RELOAD);
          }
          let body: SessionsChangedJson;
          try {
            body = {
              ids,
              sessions: (await sessionSummaries(ids)).map((s) => serializeSessionSummary(s, baseUrl)),
            };
          } catch (err) {
            console.error('[admin-events] could not read the changed sessions', err);
            return send(RELOAD);
          }
          send(`event: changed\ndata: ${JSON.stringify(body)}\n\n`);
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
        const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
        stop = () => {
          if (closed) return;
          closed = true;
          unsubscribe();
          clearInterval(heartbeat);
          clearTimeout(timer);
          signal.removeEventListener('abort', stop);
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        };
        signal.addEventListener('abort', stop);
        // Ask clients to reconnect quickly after a drop.
        send('retry: 2000\n\n');
      },
      cancel() {
        stop();
      },
    },
    { highWaterMark: MAX_BACKLOG_BYTES, size: (chunk) => chunk.byteLength },
  );
}
