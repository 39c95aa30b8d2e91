import { changesSince, findSession, type SessionWithCounts } from '@/db/queries';
import { subscribe } from './events';
import { isExpired, serializeSession } from './sessions';

/**
 * The live event stream of one session (text/event-stream):
 *   event: session  data: <the session object>   at once and after every change
 *   : ping                                        every HEARTBEAT_MS
 *   event: gone                                   when deleted or expired, then the stream ends
 * A client that stops reading is dropped once its unread backlog passes a bound.
 *
 * An idle stream should cost little (a booth event may hold hundreds): one object per stream with
 * its state, no timer of its own (one heartbeat timer pings every stream), one shared encoder and
 * shared frames for the fixed messages, and nothing that keeps the request alive.
 */
export const HEARTBEAT_MS = 15_000;
const MAX_BACKLOG_BYTES = 256 * 1024;

const enc = new TextEncoder();
// Enqueued as they are into every stream (a default ReadableStream never detaches a chunk).
const PING = enc.encode(': ping\n\n');
const RETRY = enc.encode('retry: 2000\n\n');
const GONE = enc.encode('event: gone\ndata: {}\n\n');

// ---------------------------------------------------------------------------- one heartbeat

const g = globalThis as unknown as { __pbLive?: Set<SessionStream>; __pbHeartbeat?: NodeJS.Timeout };

function live(): Set<SessionStream> {
  g.__pbLive ??= new Set();
  return g.__pbLive;
}

function beat(): void {
  const streams = live();
  if (streams.size === 0) {
    clearInterval(g.__pbHeartbeat);
    g.__pbHeartbeat = undefined;
    return;
  }
  for (const s of streams) s.write(PING);
}

/** Streams open in this process. */
export function openStreamCount(): number {
  return live().size;
}

// ------------------------------------------------------- one read and one frame per change
//
// A change wakes every stream of the session at once (the bus calls their listeners in one
// loop): they share one changesSince() read and one encoded frame per state and base URL, kept
// until that turn of the event loop is over (2,000 streams on one session: one query, not 2,000).

const shared = {
  changes: new Map<string, Promise<SessionWithCounts[]>>(),
  frames: new Map<string, Uint8Array>(),
  clearing: false,
};

function forThisTurn(): void {
  if (shared.clearing) return;
  shared.clearing = true;
  setImmediate(() => {
    shared.changes.clear();
    shared.frames.clear();
    shared.clearing = false;
  });
}

async function changesAfter(sessionId: string, version: number): Promise<SessionWithCounts[]> {
  const key = `${sessionId}\n${version}`;
  let changes = shared.changes.get(key);
  if (!changes) {
    changes = changesSince(sessionId, version);
    shared.changes.set(key, changes);
    forThisTurn();
  }
  return changes;
}

function sessionFrame(session: SessionWithCounts, baseUrl: string): Uint8Array {
  const key = `${session.id}\n${session.version}\n${baseUrl}`;
  let frame = shared.frames.get(key);
  if (!frame) {
    frame = enc.encode(`event: session\ndata: ${JSON.stringify(serializeSession(session, baseUrl))}\n\n`);
    shared.frames.set(key, frame);
    forThisTurn();
  }
  return frame;
}

// ------------------------------------------------------------------------------- one stream

/** Where a stream's frames go: a web ReadableStream (the Next route) or a Node response (server.mjs). */
export interface EventSink {
  /** True when the client has stopped reading and its unread backlog passed the bound. */
  overloaded(): boolean;
  push(chunk: Uint8Array): void;
  end(): void;
}

export class SessionStream {
  private sink: EventSink | undefined;
  private closed = false;
  private sentVersion = -1;
  private work: Promise<void> = Promise.resolve();
  private expiryTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private signal: AbortSignal | undefined;
  private readonly onAbort = () => this.close();

  constructor(
    private readonly sessionId: string,
    private readonly baseUrl: string,
    signal: AbortSignal | undefined,
    private onClose: (() => void) | undefined,
  ) {
    this.signal = signal;
  }

  /** Starts sending to the sink: the first frames at once, then every change and the heartbeat. */
  start(sink: EventSink): void {
    this.sink = sink;
    this.unsubscribe = subscribe(this.sessionId, (event) => {
      // Deleted (missing now) or force-expired (sent once more, as expired); else every change.
      this.queue(() => this.sendChanges());
      if (event.kind === 'gone') this.queue(() => this.sendCurrent());
    });
    if (this.signal?.aborted) {
      this.close();
      return;
    }
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    live().add(this);
    g.__pbHeartbeat ??= setInterval(beat, HEARTBEAT_MS);
    // Ask clients to reconnect quickly after a drop.
    this.write(RETRY);
    this.queue(() => this.sendCurrent());
  }

  /**
   * Runs the stream's reads one after another: each sends what it read before the next starts, so
   * frames leave in version order however long a read takes.
   */
  private queue(step: () => Promise<void>): void {
    this.work = this.work
      .then(() => (this.closed ? undefined : step()))
      .catch((err) => {
        // The database went away for a moment: the stream stays open and the next change (or
        // the client's reconnect) reads again.
        console.error(`[events] stream of ${this.sessionId} could not read:`, (err as Error).message);
      });
  }

  write(chunk: Uint8Array): void {
    const sink = this.sink;
    if (this.closed || !sink) return;
    if (sink.overloaded()) {
      this.close();
      return;
    }
    sink.push(chunk);
  }

  /** Ends the stream (idempotent): unsubscribes, frees its slot, ends the sink. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    live().delete(this);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.expiryTimer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.signal = undefined;
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.();
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
  }

  private gone(): void {
    this.write(GONE);
    this.close();
  }

  private send(session: SessionWithCounts): void {
    this.write(sessionFrame(session, this.baseUrl));
    this.sentVersion = Math.max(this.sentVersion, session.version);
    if (isExpired(session)) {
      this.gone();
      return;
    }
    clearTimeout(this.expiryTimer);
    // setTimeout caps near 24.8 days; sessions live far less, but stay safe.
    const ms = Math.min(session.expiresAt.getTime() - Date.now() + 50, 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => this.queue(() => this.sendCurrent()), Math.max(ms, 0));
  }

  /** The session as it is now (on open, on expiry, and when it may be gone). */
  private async sendCurrent(): Promise<void> {
    if (this.closed) return;
    const session = await findSession(this.sessionId);
    if (!session) {
      this.gone();
      return;
    }
    this.send(session);
  }

  /**
   * Every state since the last one sent, in order: a booth sees each step even when two changes
   * (in this process or another) landed before it was woken.
   */
  private async sendChanges(): Promise<void> {
    if (this.closed) return;
    for (const session of await changesAfter(this.sessionId, this.sentVersion)) {
      if (this.closed) return;
      this.send(session);
    }
  }
}

/**
 * The stream of one session. `onClose` runs once when it ends, however it ends (the client left,
 * the session is gone, the reader stalled).
 */
export function sessionEventStream(
  sessionId: string,
  baseUrl: string,
  signal: AbortSignal,
  onClose?: () => void,
): ReadableStream<Uint8Array> {
  const stream = new SessionStream(sessionId, baseUrl, signal, onClose);
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream.start({
          overloaded: () => (controller.desiredSize ?? 0) < -MAX_BACKLOG_BYTES,
          push: (chunk) => controller.enqueue(chunk),
          end: () => {
            try {
              controller.close();
            } catch {
              // already closed by the client
            }
          },
        });
      },
      cancel() {
        stream.close();
      },
    },
    { highWaterMark: MAX_BACKLOG_BYTES, size: (chunk) => chunk.byteLength },
  );
}

/** A Node response as a sink (server.mjs serves the streams itself: lib/sse-node.ts). */
export function nodeSink(res: {
  writableLength: number;
  write: (chunk: Uint8Array) => boolean;
  end: () => void;
}): EventSink {
  return {
    overloaded: () => res.writableLength > MAX_BACKLOG_BYTES,
    push: (chunk) => {
      res.write(chunk);
    },
    end: () => res.end(),
  };
}
