/**
 * The in-process event bus: "session X changed" / "session X is gone". Listeners re-read the
 * session themselves, so an event carries only the id (and could cross processes unchanged).
 * Lives on globalThis: Next may load this module more than once.
 */
export type SessionEvent = { kind: 'changed' | 'gone'; sessionId: string };
type Listener = (event: SessionEvent) => void;

interface Bus {
  listeners: Map<string, Set<Listener>>;
}

const g = globalThis as unknown as { __pbBus?: Bus };
function bus(): Bus {
  g.__pbBus ??= { listeners: new Map() };
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

export function publish(event: SessionEvent): void {
  const set = bus().listeners.get(event.sessionId);
  if (!set) return;
  for (const listener of [...set]) {
    try {
      listener(event);
    } catch (err) {
      console.error('[events] listener failed', err);
    }
  }
}

export function listenerCount(): number {
  let n = 0;
  for (const set of bus().listeners.values()) n += set.size;
  return n;
}
