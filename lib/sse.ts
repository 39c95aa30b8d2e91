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

export interface EventStreamOutput {
  /** Queues text for the client; drops the client when its unread backlog passes the bound. */
  write: (text: string) => void;
  /** Ends the stream (and runs the cleanup). */
  close: () => void;
  readonly closed: boolean;
}

/**
 * A text/event-stream with what every live stream needs: `retry: 2000` first, a `: ping` every
 * HEARTBEAT_MS, a bound on the unread backlog, and cleanup on close, cancel or request abort.
 * `start` subscribes and returns its own cleanup.
 */
export function eventStream(
  signal: AbortSignal,
  start: (out: EventStreamOutput) => () => void,
): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        const out: EventStreamOutput = {
          get closed() {
            return closed;
          },
          close() {
            if (closed) return;
            closed = true;
            cleanup();
            try {
              controller.close();
            } catch {
              // already closed by the client
            }
          },
          write(text) {
            if (closed) return;
            if ((controller.desiredSize ?? 0) < -MAX_BACKLOG_BYTES) return out.close();
            controller.enqueue(enc.encode(text));
          },
        };
        const heartbeat = setInterval(() => out.write(': ping\n\n'), HEARTBEAT_MS);
        const onAbort = () => out.close();
        signal.addEventListener('abort', onAbort);
        let stop = () => {};
        cleanup = () => {
          stop();
          clearInterval(heartbeat);
          signal.removeEventListener('abort', onAbort);
        };
        // Ask clients to reconnect quickly after a drop.
        out.write('retry: 2000\n\n');
        stop = start(out);
        if (closed) stop();
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: MAX_BACKLOG_BYTES, size: (chunk) => chunk.byteLength },
  );
}

export function sessionEventStream(
  sessionId: string,
  baseUrl: string,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  return eventStream(signal, (out) => {
    const { write, close } = out;
    let expiryTimer: ReturnType<typeof setTimeout> | undefined;
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
      for (const session of changes) {
        if (out.closed) return;
        send(session);
      }
    };

    const unsubscribe = subscribe(sessionId, (event) => {
      if (event.kind === 'gone') {
        // Deleted (missing now) or force-expired (sent once more, as expired).
        sendChanges();
        if (!out.closed) sendCurrent();
      } else {
        sendChanges();
      }
    });
    sendCurrent();
    return () => {
      unsubscribe();
      clearTimeout(expiryTimer);
    };
  });
}
