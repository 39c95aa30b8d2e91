import { loadGallery } from '@/lib/gallery';
import { galleryEventStream } from '@/lib/gallery-stream';
import { route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { streamResponse } from '@/lib/sse-response';

type P = { token: string };

export const dynamic = 'force-dynamic';

/** The host's live gallery: new and removed pictures of the event, from any process. */
export const GET = route<P>(async (request, { token }) => {
  const event = await loadGallery(token);
  return streamResponse(request, (release) =>
    galleryEventStream(event.id, baseUrlFor(request), request.signal, release),
  );
});
