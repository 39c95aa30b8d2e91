import { sessionListEventStream } from '@/lib/admin-events';
import { authorize, route } from '@/lib/http';
import { acquireStream } from '@/lib/limits';
import { baseUrlFor } from '@/lib/links';

export const dynamic = 'force-dynamic';

/** The admin page's live stream: which sessions changed (docs/api.md). */
export const GET = route((request) => {
  authorize(request, 'admin');
  // Counted with the session streams: the same caps hold (lib/limits.ts).
  const release = acquireStream(request);
  request.signal.addEventListener('abort', release, { once: true });
  return new Response(sessionListEventStream(baseUrlFor(request), request.signal), {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    },
  });
});
