import { z } from 'zod';
import { assertMayActOnSession } from '@/lib/event-rules';
import { callerOf, json, readJson, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { atLeast } from '@/lib/roles';
import { loadSession, serializeSession, setSessionLayout } from '@/lib/sessions';

type P = { id: string };

const layoutBody = z.object({ layout: z.unknown() });

/** The guest (holder of the link) or the booth chooses the picture's layout; the booth sees it live. */
export const PUT = route<P>(async (request, { id }) => {
  const caller = await callerOf(request);
  const role = atLeast(caller.role, 'booth') ? 'booth' : 'guest';
  if (role === 'booth') assertMayActOnSession(caller, await loadSession(id));
  const { layout } = await readJson(request, layoutBody);
  const session = await setSessionLayout(id, typeof layout === 'string' ? layout : '', role);
  return json({ session: serializeSession(session, baseUrlFor(request)) });
});
