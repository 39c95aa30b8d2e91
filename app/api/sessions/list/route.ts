import { loadEvent } from '@/lib/event-rules';
import { authorize, json, readQuery, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { listSessionsPage, serializeSessionSummary } from '@/lib/sessions';
import type { SessionListJson } from '@/lib/shared/wire';
import { listQuerySchema } from '@/lib/validation';

/** One page of active sessions, newest first, without `data` (docs/api.md: paging). */
export const GET = route(async (request) => {
  await authorize(request, 'admin');
  const { event_id, ...query } = readQuery(request, listQuerySchema);
  // ?event_id= keeps one event's sessions (unknown: 404 event_not_found); paging works within it.
  const eventId = event_id === undefined ? undefined : (await loadEvent(event_id)).id;
  const base = baseUrlFor(request);
  const page = await listSessionsPage({ ...query, eventId });
  const body: SessionListJson = {
    sessions: page.sessions.map((s) => serializeSessionSummary(s, base)),
    next_before: page.nextBefore,
  };
  return json(body);
});
