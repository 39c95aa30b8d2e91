import type { Layout } from '@/lib/shared/session';
import type { SessionJson } from '@/lib/shared/wire';

/** What the booth shell hands its screens (its own file: the screens and the shell both import it). */

export interface BoothSettings {
  eventName: string | null;
  wifiSsid: string | null;
  wifiPassword: string | null;
  /** The event's colours, applied to the booth screens as CSS variables (--booth-bg, -text, -accent). */
  theme: { background: string; text: string; accent: string };
  /** The layouts the event offers (at least one). */
  layouts: Layout[];
  idleSeconds: number;
  shots: number;
  /** The guest link would point to localhost: phones cannot open it. */
  linkUnreachable: boolean;
}

/** What every booth screen gets from the shell. */
export interface BoothScreenProps {
  settings: BoothSettings;
  /** A session this screen created (so an abandoned one can be closed). */
  onSession: (session: SessionJson) => void;
  /** Any failure of a booth call: a 401 brings the token prompt back. */
  onFailure: (err: unknown) => void;
  /** Guest activity (a photo landed, a status changed) keeps the booth from idling out. */
  onActivity: () => void;
  onResult: (session: SessionJson) => void;
  onCancel: () => void;
}

/** The layout a booth screen starts with: grid when the event offers it, else its first. */
export function firstLayout(layouts: readonly Layout[]): Layout {
  return layouts.includes('grid') ? 'grid' : (layouts[0] ?? 'grid');
}
