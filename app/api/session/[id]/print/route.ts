import { assertMayActOnSession } from '@/lib/event-rules';
import { countEvent } from '@/lib/event-stats';
import { authorize, route } from '@/lib/http';
import { loadLiveSession } from '@/lib/sessions';

type P = { id: string };

/** The booth printed the session's picture (its Print button): counted in the event's stats. */
export const POST = route<P>(async (request, { id }) => {
  const caller = await authorize(request, 'booth');
  const session = await loadLiveSession(id);
  assertMayActOnSession(caller, session);
  await countEvent(session.eventId, 'prints');
  return new Response(null, { status: 204 });
});
