import { route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { loadLiveSession } from '@/lib/sessions';
import { sessionEventStream } from '@/lib/sse';
import { streamResponse } from '@/lib/sse-response';

type P = { id: string };

export const dynamic = 'force-dynamic';

export const GET = route<P>((request, { id }) => {
  const session = loadLiveSession(id);
  return streamResponse(request, (release) =>
    sessionEventStream(session.id, baseUrlFor(request), request.signal, release),
  );
});
