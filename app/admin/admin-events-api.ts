import { ApiFailure, failureFrom } from '@/components/api';
import type { BoothJson, EventJson, PairingJson } from '@/lib/shared/wire';

/** Browser-side calls of the admin's event and booth screens that are not plain JSON. */

export type { BoothJson, EventJson, PairingJson };

async function send(path: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { cache: 'no-store', credentials: 'same-origin', ...init });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw failureFrom(0, null);
  }
  if (!res.ok) throw failureFrom(res.status, await res.json().catch(() => null));
  return res;
}

/** The event's picture as compose would draw it (JPEG). */
export async function fetchPreview(
  eventId: string,
  layout: string,
  caption: string,
  signal: AbortSignal,
): Promise<Blob> {
  const res = await send(`/api/events/${eventId}/preview`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    // The form's caption as it is (empty: none), so the preview is what Save would make.
    body: JSON.stringify({ layout, caption }),
    signal,
  });
  return res.blob();
}

/** Uploads the event's overlay frame (multipart field `frame`). */
export async function uploadFrame(eventId: string, file: File): Promise<EventJson> {
  const form = new FormData();
  form.append('frame', file, file.name);
  const res = await send(`/api/events/${eventId}/frame`, { method: 'PUT', body: form });
  return ((await res.json()) as { event: EventJson }).event;
}

/** The server's own message for a failure (the admin reads English or Russian UI around it). */
export function failureMessage(err: unknown): string {
  if (err instanceof ApiFailure) return err.message;
  return err instanceof Error ? err.message : String(err);
}
