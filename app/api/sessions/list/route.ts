import { authorize, json, readQuery, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { listSessionsPage, serializeSessionSummary } from '@/lib/sessions';
import type { SessionListJson } from '@/lib/shared/wire';
import { listQuerySchema } from '@/lib/validation';

/** One page of active sessions, newest first, without `data` (docs/api.md: paging). */
export const GET = route((request) => {
  authorize(request, 'admin');
  const query = readQuery(request, listQuerySchema);
  const base = baseUrlFor(request);
  const page = listSessionsPage(query);
  const body: SessionListJson = {
    sessions: page.sessions.map((s) => serializeSessionSummary(s, base)),
    next_before: page.nextBefore,
  };
  return json(body);
});
