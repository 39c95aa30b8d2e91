import { loadEvent } from '@/lib/event-rules';
import { authorize, json, methodNotAllowed, readQuery, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { listSessions, serializeSession } from '@/lib/sessions';
import { listQuerySchema } from '@/lib/validation';

export const GET = route((request) => {
  authorize(request, 'admin');
  const { event_id, ...filter } = readQuery(request, listQuerySchema);
  // ?event_id= keeps one event's sessions (unknown: 404 event_not_found).
  const eventId = event_id === undefined ? undefined : loadEvent(event_id).id;
  const base = baseUrlFor(request);
  return json({ sessions: listSessions({ ...filter, eventId }).map((s) => serializeSession(s, base)) });
});

const notAllowed = methodNotAllowed('GET');
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
