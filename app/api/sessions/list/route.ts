import { authorize, json, methodNotAllowed, readQuery, route } from '@/lib/http';
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

const notAllowed = methodNotAllowed('GET');
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
