import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { z } from 'zod';
import { deliver, type SessionEvent, setRemoteTransport, watchedSessionIds } from './events';
import { pokeGallery, setGalleryPollMs } from './gallery-stream';

/**
 * Live events across instances (hosted mode, DATABASE_URL): PostgreSQL LISTEN/NOTIFY.
 *
 * Each process keeps ONE listening connection (postgres.js `sql.listen`, which reconnects and
 * re-subscribes by itself) on two channels and fans what it hears out to its own listeners:
 *   pb_session  {"o": origin, "s": sessionId, "k": "changed"|"gone", "v"?: version}
 *               → deliver() to this process's session streams (lib/events.ts), which re-read the
 *                 change log since what they last sent, as they do today.
 *   pb_gallery  {"o": origin, "e": eventId}
 *               → the gallery stream polls that event at once (lib/gallery-stream.ts pokeGallery).
 * A notification only says "look again": the data is always read from the database, so an extra
 * or a duplicate one is harmless, and a lost one is made good by the next.
 *
 * NOTIFYs sent while our listening connection is down are lost to us. So on every re-connect (not
 * the first listen) every session watched here gets a 'changed' (its stream re-reads what it
 * missed: no step is skipped) and every watched gallery is polled.
 *
 * Our own NOTIFYs come back to us too. publish() has already delivered the event locally (at once,
 * and even when PostgreSQL is unreachable), so a notification carrying this bus's origin id is
 * skipped: each event reaches a local listener exactly once.
 *
 * Publishing goes through a separate single connection (max: 1): the NOTIFYs of one process are
 * sent, committed and therefore heard in the order they were published. A failed NOTIFY is logged
 * and never thrown into the request: the change itself is already committed, and the streams
 * catch up on the session's next change or on their listener's reconnect.
 */

export const SESSION_CHANNEL = 'pb_session';
export const GALLERY_CHANNEL = 'pb_gallery';
/** PostgreSQL refuses payloads of 8000 bytes and more; ours are far below (ids are short). */
export const MAX_PAYLOAD_BYTES = 1000;
/** The gallery's safety-net poll in hosted mode (NOTIFY pokes it; embedded keeps POLL_MS). */
export const HOSTED_GALLERY_POLL_MS = 5000;

const origin = z.string().min(1).max(64);
const id = z.string().min(1).max(200);
const sessionPayload = z.object({
  o: origin.optional(),
  s: id,
  k: z.enum(['changed', 'gone']),
  v: z.number().int().nonnegative().optional(),
});
const galleryPayload = z.object({ o: origin.optional(), e: id });

/** Seconds before reconnect attempt `retries`: 0.1, 0.2, 0.4 … capped at 2 (with jitter). */
export function reconnectBackoff(retries: number): number {
  return (0.75 + Math.random() / 4) * Math.min(0.05 * 2 ** retries, 2);
}

/** What a bus does with what it hears. */
export interface PgBusHandlers {
  /** A session event from another process or instance. */
  deliver(event: SessionEvent): void;
  /** A gallery changed (`eventId`), or the listener reconnected and every gallery may have (`undefined`). */
  gallery(eventId: string | undefined): void;
  /** The listener reconnected: notifications may have been missed, every watched session re-reads. */
  resync(): void;
}

export interface PgBusOptions {
  /** Seconds to wait for a connection (default 10): bounds how long a publish waits when PostgreSQL is down. */
  connectTimeoutS?: number;
}

export interface PgBus {
  /** This bus's origin id, carried in its payloads (its own echoes are skipped). */
  readonly origin: string;
  /** NOTIFY on pb_session. Resolves when sent or failed (logged); never rejects. */
  publish(event: SessionEvent): Promise<void>;
  /** NOTIFY on pb_gallery. Resolves when sent or failed (logged); never rejects. */
  publishGallery(eventId: string): Promise<void>;
  /** Counters (for tests and logs). */
  readonly stats: { reconnects: number; publishFailures: number; malformed: number };
  /** Stops listening and closes both connections. */
  stop(): Promise<void>;
}

/**
 * One bus: a listening connection and a publishing one, on `url`. Resolves once both channels are
 * listened to (rejects, having closed everything, when PostgreSQL cannot be reached then). Two
 * buses in one process behave as two instances (the tests do this).
 */
export async function createPgBus(
  url: string,
  handlers: PgBusHandlers,
  options: PgBusOptions = {},
): Promise<PgBus> {
  const self = randomBytes(9).toString('base64url');
  const stats = { reconnects: 0, publishFailures: 0, malformed: 0 };
  let stopped = false;
  let lastLog = 0;
  const sql = postgres(url, {
    max: 1,
    connect_timeout: options.connectTimeoutS ?? 10,
    // Reconnect attempts while PostgreSQL is away (the listening connection inherits this): postgres.js
    // backs off to 20 s, so a listener could stay deaf ~20 s after a short outage; ours stays ≤ 2 s.
    backoff: reconnectBackoff,
    onnotice: () => {},
  });

  // Logs at most every 10 s: a PostgreSQL outage must not flood the log with one line per event.
  const warn = (message: string, err?: unknown) => {
    const now = Date.now();
    if (now - lastLog < 10_000) return;
    lastLog = now;
    console.error(message, err instanceof Error ? err.message : (err ?? ''));
  };
  const safely = (what: string, fn: () => void) => {
    if (stopped) return;
    try {
      fn();
    } catch (err) {
      console.error(`[pg-bus] ${what} failed`, err);
    }
  };
  const parse = <T>(schema: z.ZodType<T>, raw: string): T | undefined => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    stats.malformed++;
    warn('[pg-bus] ignored a malformed notification:', raw.slice(0, 200));
    return undefined;
  };

  const onSession = (raw: string) => {
    const p = parse(sessionPayload, raw);
    if (!p || p.o === self) return;
    const event: SessionEvent = { kind: p.k, sessionId: p.s };
    if (p.v !== undefined) event.version = p.v;
    safely('deliver', () => handlers.deliver(event));
  };
  const onGallery = (raw: string) => {
    const p = parse(galleryPayload, raw);
    if (!p || p.o === self) return;
    safely('gallery', () => handlers.gallery(p.e));
  };

  // onListen runs after every successful LISTEN: the first, then once per reconnect.
  let sessionListens = 0;
  let galleryListens = 0;
  try {
    await sql.listen(SESSION_CHANNEL, onSession, () => {
      if (sessionListens++ === 0) return;
      stats.reconnects++;
      safely('resync', () => handlers.resync());
    });
    await sql.listen(GALLERY_CHANNEL, onGallery, () => {
      if (galleryListens++ === 0) return;
      safely('gallery resync', () => handlers.gallery(undefined));
    });
  } catch (err) {
    stopped = true;
    await sql.end({ timeout: 0 });
    throw err;
  }

  const send = async (channel: string, payload: string): Promise<void> => {
    if (stopped) return;
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      console.error('[pg-bus] notification too large, not sent:', payload.slice(0, 200));
      return;
    }
    try {
      await sql`select pg_notify(${channel}, ${payload})`;
    } catch (err) {
      // The change is committed already; the streams catch up on the next change or reconnect.
      stats.publishFailures++;
      warn('[pg-bus] NOTIFY failed (streams elsewhere catch up on the next change):', err);
    }
  };

  return {
    origin: self,
    stats,
    publish(event) {
      const payload: z.input<typeof sessionPayload> = { o: self, s: event.sessionId, k: event.kind };
      if (event.version !== undefined) payload.v = event.version;
      return send(SESSION_CHANNEL, JSON.stringify(payload));
    },
    publishGallery(eventId) {
      return send(
        GALLERY_CHANNEL,
        JSON.stringify({ o: self, e: eventId } satisfies z.input<typeof galleryPayload>),
      );
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await sql.end({ timeout: 5 });
    },
  };
}

// ---------------------------------------------------------------- this process's bus (singleton)

const g = globalThis as unknown as {
  __pbPgBus?: { url: string; ready: Promise<PgBus>; bus?: PgBus };
};

// Gallery pokes are coalesced: a burst of notifications polls each event once, off their call stack.
let galleryAll = false;
const galleryPending = new Set<string>();
let galleryScheduled = false;
function scheduleGalleryPoke(eventId: string | undefined): void {
  if (eventId === undefined) galleryAll = true;
  else galleryPending.add(eventId);
  if (galleryScheduled) return;
  galleryScheduled = true;
  setImmediate(() => {
    galleryScheduled = false;
    const all = galleryAll;
    const ids = [...galleryPending];
    galleryAll = false;
    galleryPending.clear();
    if (all) pokeGallery();
    else for (const eventId of ids) pokeGallery(eventId);
  });
}

/** Every session someone here watches re-reads its change log (after a lost connection). */
function resyncWatchedSessions(): void {
  for (const sessionId of watchedSessionIds()) deliver({ kind: 'changed', sessionId });
}

/**
 * Hosted mode: this process's bus on `url` (idempotent). From then on publish() (lib/events.ts)
 * sends over NOTIFY instead of the cluster relay, and the gallery's periodic poll slows to
 * HOSTED_GALLERY_POLL_MS. Rejects when PostgreSQL cannot be reached.
 */
export async function startPgBus(url: string): Promise<void> {
  if (g.__pbPgBus?.url === url) {
    await g.__pbPgBus.ready;
    return;
  }
  if (g.__pbPgBus) await stopPgBus();
  const ready = createPgBus(url, {
    deliver,
    gallery: scheduleGalleryPoke,
    // (the gallery channel's own reconnect calls gallery(undefined): every watched gallery polls)
    resync: resyncWatchedSessions,
  });
  const entry: { url: string; ready: Promise<PgBus>; bus?: PgBus } = { url, ready };
  g.__pbPgBus = entry;
  let bus: PgBus;
  try {
    bus = await ready;
  } catch (err) {
    if (g.__pbPgBus === entry) g.__pbPgBus = undefined;
    throw err;
  }
  entry.bus = bus;
  setRemoteTransport((event) => void bus.publish(event));
  setGalleryPollMs(HOSTED_GALLERY_POLL_MS);
}

/** Stops this process's bus (back to the cluster relay and the embedded gallery poll). */
export async function stopPgBus(): Promise<void> {
  const entry = g.__pbPgBus;
  g.__pbPgBus = undefined;
  if (!entry) return;
  setRemoteTransport(undefined);
  setGalleryPollMs(undefined);
  const bus = entry.bus ?? (await entry.ready.catch(() => undefined));
  await bus?.stop();
}

/** This process's bus, when started. */
export function currentPgBus(): PgBus | undefined {
  return g.__pbPgBus?.bus;
}

/**
 * Sends a session event to the other instances only (publish() in lib/events.ts also delivers
 * locally and calls this through the transport). Without a running bus it does nothing. Never
 * rejects: a failure is logged (the change is committed; streams catch up later).
 */
export async function pgPublish(event: SessionEvent): Promise<void> {
  await currentPgBus()?.publish(event);
}

/**
 * A picture of `eventId` was made, replaced or removed: this process's gallery streams poll it at
 * once, and (hosted mode) the other instances' too, over NOTIFY. Call after the change is
 * committed. Never throws; embedded mode only pokes locally (the other workers poll every POLL_MS).
 */
export function publishGalleryChange(eventId: string): void {
  scheduleGalleryPoke(eventId);
  void currentPgBus()?.publishGallery(eventId);
}
