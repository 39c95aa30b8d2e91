import { route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { loadLiveSession } from '@/lib/sessions';
import { sessionEventStream } from '@/lib/sse';
import { streamResponse } from '@/lib/sse-response';

type P = { id: string };

export const dynamic = 'force-dynamic';

export const GET = route<P>(async (request, { id }) => {
  const session = await loadLiveSession(id);
  return streamResponse(request, (release) =>
    sessionEventStream(session.id, baseUrlFor(request), request.signal, release),
  );
});
