import { sessionListEventStream } from '@/lib/admin-events';
import { authorize, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { eventStreamResponse } from '@/lib/sse';

export const dynamic = 'force-dynamic';

/** The admin page's live stream: which sessions changed (docs/api.md). */
export const GET = route((request) => {
  authorize(request, 'admin');
  return eventStreamResponse(sessionListEventStream(baseUrlFor(request), request.signal));
});
