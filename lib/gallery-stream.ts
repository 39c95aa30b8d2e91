import { eventPictureStamps, findEventPicture } from '@/db/queries';
import { serializePicture } from './pictures';

/**
 * The gallery's live stream (GET /api/gallery/:token/events, text/event-stream):
 *   event: picture  data: <the picture>   for each new picture (and a replaced one, same id)
 *   event: removed  data: {"id"}          for each picture removed (host, guest, expiry)
 *   : ping                                every HEARTBEAT_MS
 *
 * Pictures are made and removed by any worker process of server.mjs and by the bot, so the stream
 * learns about them from the database, not from this process's event bus: one timer per process
 * polls, every POLL_MS, the ids and times of the live pictures of each event someone here watches
 * (one small indexed query per watched event, shared by all its streams) and tells the streams
 * what came and what went since the last poll. A stream starts from the state at its first poll.
 */
export const POLL_MS = 1000;
export const HEARTBEAT_MS = 15_000;
const MAX_BACKLOG_BYTES = 256 * 1024;

const enc = new TextEncoder();
const PING = enc.encode(': ping\n\n');
const RETRY = enc.encode('retry: 2000\n\n');

interface Watched {
  known: Map<string, number> | undefined;
  /** The event's reads run one after another (a poll is async: two must not interleave). */
  busy: Promise<void>;
  streams: Set<ReadableStreamDefaultController<Uint8Array>>;
  baseUrls: Map<ReadableStreamDefaultController<Uint8Array>, string>;
}

const g = globalThis as unknown as {
  __pbGallery?: { events: Map<string, Watched>; timer?: NodeJS.Timeout; ticks: number; pollMs?: number };
};

function state() {
  g.__pbGallery ??= { events: new Map(), ticks: 0 };
  return g.__pbGallery;
}

function push(c: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array, w: Watched): void {
  // A client that stopped reading: dropped once its unread backlog passes the bound.
  if ((c.desiredSize ?? 0) < -MAX_BACKLOG_BYTES) {
    drop(c, w);
    try {
      c.close();
    } catch {}
    return;
  }
  try {
    c.enqueue(chunk);
  } catch {
    drop(c, w);
  }
}

function drop(c: ReadableStreamDefaultController<Uint8Array>, w: Watched): void {
  w.streams.delete(c);
  w.baseUrls.delete(c);
}

/** Runs fn after the event's previous read; a failed read is logged, the next one tries again. */
function serially(w: Watched, fn: () => Promise<void>): Promise<void> {
  w.busy = w.busy.then(fn).catch((err) => console.error('[gallery] poll failed:', err));
  return w.busy;
}

async function poll(eventId: string, w: Watched): Promise<void> {
  const now = new Date();
  const current = new Map((await eventPictureStamps(eventId, now)).map((r) => [r.id, r.at]));
  const known = w.known;
  w.known = current;
  if (!known) return;
  for (const [id, at] of current) {
    if (known.get(id) === at) continue;
    const row = await findEventPicture(eventId, id);
    if (!row) continue;
    for (const c of [...w.streams]) {
      const frame = `event: picture\ndata: ${JSON.stringify(serializePicture(row, w.baseUrls.get(c) ?? ''))}\n\n`;
      push(c, enc.encode(frame), w);
    }
  }
  for (const id of known.keys()) {
    if (current.has(id)) continue;
    const frame = enc.encode(`event: removed\ndata: ${JSON.stringify({ id })}\n\n`);
    for (const c of [...w.streams]) push(c, frame, w);
  }
}

function tick(): void {
  const s = state();
  s.ticks++;
  const every = s.pollMs ?? POLL_MS;
  const ping = (s.ticks * every) % HEARTBEAT_MS < every;
  for (const [eventId, w] of s.events) {
    if (w.streams.size === 0) {
      s.events.delete(eventId);
      continue;
    }
    void serially(w, () => poll(eventId, w));
    if (ping) for (const c of [...w.streams]) push(c, PING, w);
  }
  if (s.events.size === 0) {
    clearInterval(s.timer);
    s.timer = undefined;
  }
}

/** The stream of one event's gallery; ends when the client goes (signal) and calls `onClose`. */
export function galleryEventStream(
  eventId: string,
  baseUrl: string,
  signal: AbortSignal,
  onClose?: () => void,
): ReadableStream<Uint8Array> {
  let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  const s = state();
  const finish = () => {
    if (closed) return;
    closed = true;
    const w = s.events.get(eventId);
    if (w && ctrl) drop(ctrl, w);
    onClose?.();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      ctrl = controller;
      let w = s.events.get(eventId);
      if (!w) {
        w = { known: undefined, streams: new Set(), baseUrls: new Map(), busy: Promise.resolve() };
        s.events.set(eventId, w);
      }
      const watched = w;
      // Listening from now on: whatever a poll finds from here is sent to this stream too.
      watched.streams.add(controller);
      watched.baseUrls.set(controller, baseUrl);
      controller.enqueue(RETRY);
      // The state at open is the start: only what changes after it is sent.
      void serially(watched, async () => {
        if (!watched.known)
          watched.known = new Map((await eventPictureStamps(eventId, new Date())).map((r) => [r.id, r.at]));
      });
      s.timer ??= setInterval(tick, s.pollMs ?? POLL_MS);
      s.timer.unref?.();
      if (signal.aborted) finish();
      else signal.addEventListener('abort', finish, { once: true });
    },
    cancel() {
      finish();
    },
  });
}

/**
 * Hosted mode (lib/pg-bus.ts): a picture came or went somewhere (a NOTIFY), so the poll of that
 * event runs now instead of at the next tick; without an id (the listener reconnected) every
 * watched event is polled. Events nobody here watches are skipped.
 */
export function pokeGallery(eventId?: string): void {
  const s = state();
  const targets = eventId === undefined ? [...s.events] : [[eventId, s.events.get(eventId)] as const];
  for (const [id, w] of targets) {
    if (!w || w.streams.size === 0) continue;
    void serially(w, () => poll(id, w));
  }
}

/**
 * The period of the safety-net poll (POLL_MS unless set; at most HEARTBEAT_MS). Hosted mode slows
 * it (NOTIFY pokes the streams); the running timer, if any, takes the new period at once.
 */
export function setGalleryPollMs(ms: number | undefined): void {
  const s = state();
  // The heartbeat rides on the ticks: at least one tick per HEARTBEAT_MS.
  s.pollMs = ms === undefined ? undefined : Math.min(Math.max(ms, 100), HEARTBEAT_MS);
  if (s.timer) {
    clearInterval(s.timer);
    s.timer = setInterval(tick, s.pollMs ?? POLL_MS);
    s.timer.unref?.();
  }
}
