import { changesSince, findSession, type SessionWithCounts } from '@/db/queries';
import { subscribe } from './events';
import { isExpired, serializeSession } from './sessions';

/**
 * The live event stream of one session (text/event-stream):
 *   event: session  data: <the session object>   at once and after every change
 *   : ping                                        every HEARTBEAT_MS
 *   event: gone                                   when deleted or expired, then the stream ends
 * A client that stops reading is dropped once its unread backlog passes a bound.
 */
export const HEARTBEAT_MS = 15_000;
const MAX_BACKLOG_BYTES = 256 * 1024;

export function sessionEventStream(
  sessionId: string,
  baseUrl: string,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        let expiryTimer: ReturnType<typeof setTimeout> | undefined;

        const close = () => {
          if (closed) return;
          closed = true;
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        };
        const write = (text: string) => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) < -MAX_BACKLOG_BYTES) {
            close();
            return;
          }
          controller.enqueue(enc.encode(text));
        };
        const gone = () => {
          write('event: gone\ndata: {}\n\n');
          close();
        };
        let sentVersion = -1;
        const send = (session: SessionWithCounts) => {
          write(`event: session\ndata: ${JSON.stringify(serializeSession(session, baseUrl))}\n\n`);
          sentVersion = Math.max(sentVersion, session.version);
          if (isExpired(session)) return gone();
          clearTimeout(expiryTimer);
          // setTimeout caps near 24.8 days; sessions live far less, but stay safe.
          const ms = Math.min(session.expiresAt.getTime() - Date.now() + 50, 2 ** 31 - 1);
          expiryTimer = setTimeout(sendCurrent, Math.max(ms, 0));
        };
        // The session as it is now (on open, on expiry, and when it may be gone).
        const sendCurrent = () => {
          const session = findSession(sessionId);
          if (!session) return gone();
          send(session);
        };
        // Every state since the last one sent, in order: a booth sees each step even when two
        // changes (in this process or another) landed before it was woken.
        const sendChanges = () => {
          const changes = changesSince(sessionId, sentVersion);
          if (changes.length === 0) return;
          for (const session of changes) {
            if (closed) return;
            send(session);
          }
        };

        const unsubscribe = subscribe(sessionId, (event) => {
          if (event.kind === 'gone') {
            // Deleted (missing now) or force-expired (sent once more, as expired).
            sendChanges();
            if (!closed) sendCurrent();
          } else {
            sendChanges();
          }
        });
        const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
        const onAbort = () => close();
        signal.addEventListener('abort', onAbort);
        cleanup = () => {
          unsubscribe();
          clearInterval(heartbeat);
          clearTimeout(expiryTimer);
          signal.removeEventListener('abort', onAbort);
        };
        // Ask clients to reconnect quickly after a drop.
        write('retry: 2000\n\n');
        sendCurrent();
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: MAX_BACKLOG_BYTES, size: (chunk) => chunk.byteLength },
  );
}
