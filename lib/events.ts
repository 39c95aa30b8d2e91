import cluster from 'node:cluster';

/**
 * The event bus: "session X changed" / "session X is gone". Listeners re-read the session
 * themselves, so an event carries only the id. Lives on globalThis: Next may load this module
 * more than once. Under the multi-process server (server.mjs) an event is also sent to the
 * primary, which relays it to the sibling workers: a booth's stream may live in another process
 * than the guest's upload.
 */
export type SessionEvent = {
  kind: 'changed' | 'gone';
  sessionId: string;
  /** The session's version after the change, when the publisher knows it (carried across instances). */
  version?: number;
};
type Listener = (event: SessionEvent) => void;
/** Sends an event to the other processes and instances (hosted mode: lib/pg-bus.ts). Never throws. */
export type RemoteTransport = (event: SessionEvent) => void;

interface Bus {
  listeners: Map<string, Set<Listener>>;
  remote?: RemoteTransport;
}

const RELAY = 'pb:session-event';

const g = globalThis as unknown as { __pbBus?: Bus };
function bus(): Bus {
  if (!g.__pbBus) {
    g.__pbBus = { listeners: new Map() };
    if (cluster.isWorker) {
      process.on('message', (msg: { type?: unknown; event?: SessionEvent } | null) => {
        if (msg?.type === RELAY && msg.event) deliver(msg.event);
      });
    }
  }
  return g.__pbBus;
}

export function subscribe(sessionId: string, listener: Listener): () => void {
  const { listeners } = bus();
  let set = listeners.get(sessionId);
  if (!set) {
    set = new Set();
    listeners.set(sessionId, set);
  }
  set.add(listener);
  return () => {
    const current = listeners.get(sessionId);
    if (!current) return;
    current.delete(listener);
    if (current.size === 0) listeners.delete(sessionId);
  };
}

/** Listens to the events of every session (the Telegram notifier). */
export function subscribeAll(listener: Listener): () => void {
  const all = allListeners();
  all.add(listener);
  return () => {
    all.delete(listener);
  };
}

function allListeners(): Set<Listener> {
  const ga = globalThis as unknown as { __pbBusAll?: Set<Listener> };
  ga.__pbBusAll ??= new Set();
  return ga.__pbBusAll;
}

/**
 * Hosted mode (DATABASE_URL): events go to the other instances through `fn` (PostgreSQL NOTIFY,
 * lib/pg-bus.ts) instead of the cluster relay; every process, sibling workers included, hears them
 * there. `undefined` goes back to the relay.
 */
export function setRemoteTransport(fn: RemoteTransport | undefined): void {
  bus().remote = fn;
}

export function publish(event: SessionEvent): void {
  deliver(event);
  const { remote } = bus();
  if (remote) {
    try {
      remote(event);
    } catch (err) {
      console.error('[events] remote transport failed', err);
    }
    return;
  }
  if (cluster.isWorker && process.connected) {
    process.send?.(
      { type: RELAY, event: { kind: event.kind, sessionId: event.sessionId } },
      undefined,
      {},
      () => {},
    );
  }
}

/** Delivers to this process's listeners only (events noticed here that other processes made). */
export function deliver(event: SessionEvent): void {
  const set = bus().listeners.get(event.sessionId);
  for (const listener of [...(set ?? []), ...allListeners()]) {
    try {
      listener(event);
    } catch (err) {
      console.error('[events] listener failed', err);
    }
  }
}

/** The sessions someone in this process is watching. */
export function watchedSessionIds(): string[] {
  return [...bus().listeners.keys()];
}
