import { methodNotAllowed, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { loadLiveSession } from '@/lib/sessions';
import { sessionEventStream } from '@/lib/sse';

type P = { id: string };

export const dynamic = 'force-dynamic';

export const GET = route<P>((request, { id }) => {
  const session = loadLiveSession(id);
  return new Response(sessionEventStream(session.id, baseUrlFor(request), request.signal), {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    },
  });
});

const notAllowed = methodNotAllowed('GET');
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
