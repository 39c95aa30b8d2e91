import { sessionListEventStream } from '@/lib/admin-events';
import { authorize, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { streamResponse } from '@/lib/sse-response';

export const dynamic = 'force-dynamic';

/** The admin page's live stream: which sessions changed (docs/api.md). */
export const GET = route(async (request) => {
  await authorize(request, 'admin');
  // Counted with the session streams: the same caps hold (lib/limits.ts).
  return streamResponse(request, (release) => {
    request.signal.addEventListener('abort', release, { once: true });
    return sessionListEventStream(baseUrlFor(request), request.signal);
  });
});
