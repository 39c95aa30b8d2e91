import { authorize, json, readQuery, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { listSessions, serializeSession } from '@/lib/sessions';
import { listQuerySchema } from '@/lib/validation';

export const GET = route((request) => {
  authorize(request, 'admin');
  const filter = readQuery(request, listQuerySchema);
  const base = baseUrlFor(request);
  return json({ sessions: listSessions(filter).map((s) => serializeSession(s, base)) });
});
