import { route } from '@/lib/http';
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
