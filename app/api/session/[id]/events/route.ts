import { route } from '@/lib/http';
import { acquireStream } from '@/lib/limits';
import { baseUrlFor } from '@/lib/links';
import { loadLiveSession } from '@/lib/sessions';
import { sessionEventStream } from '@/lib/sse';

type P = { id: string };

export const dynamic = 'force-dynamic';

export const GET = route<P>((request, { id }) => {
  const session = loadLiveSession(id);
  // Over the cap of live streams: 429 at once (lib/limits.ts); the slot is freed when it closes.
  const release = acquireStream(request);
  try {
    return new Response(sessionEventStream(session.id, baseUrlFor(request), request.signal, release), {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      },
    });
  } catch (err) {
    release();
    throw err;
  }
});
