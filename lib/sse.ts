import { findSession } from '@/db/queries';
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
        const sendSession = () => {
          const session = findSession(sessionId);
          if (!session) return gone();
          write(`event: session\ndata: ${JSON.stringify(serializeSession(session, baseUrl))}\n\n`);
          if (isExpired(session)) return gone();
          clearTimeout(expiryTimer);
          // setTimeout caps near 24.8 days; sessions live far less, but stay safe.
          const ms = Math.min(session.expiresAt.getTime() - Date.now() + 50, 2 ** 31 - 1);
          expiryTimer = setTimeout(sendSession, Math.max(ms, 0));
        };

        // "gone" re-reads too: a deleted session is missing, a force-expired one is sent once more as expired.
        const unsubscribe = subscribe(sessionId, () => sendSession());
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
        sendSession();
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: MAX_BACKLOG_BYTES, size: (chunk) => chunk.byteLength },
  );
}
