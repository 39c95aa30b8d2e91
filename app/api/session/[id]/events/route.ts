import { methodNotAllowed, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { loadLiveSession } from '@/lib/sessions';
import { eventStreamResponse, sessionEventStream } from '@/lib/sse';

type P = { id: string };

export const dynamic = 'force-dynamic';

export const GET = route<P>((request, { id }) => {
  const session = loadLiveSession(id);
  return eventStreamResponse(sessionEventStream(session.id, baseUrlFor(request), request.signal));
});

const notAllowed = methodNotAllowed('GET');
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
