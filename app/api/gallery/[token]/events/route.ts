import { loadGallery } from '@/lib/gallery';
import { galleryEventStream } from '@/lib/gallery-stream';
import { route } from '@/lib/http';
import { acquireStream } from '@/lib/limits';
import { baseUrlFor } from '@/lib/links';

type P = { token: string };

export const dynamic = 'force-dynamic';

/** The host's live gallery: new and removed pictures of the event, from any process. */
export const GET = route<P>((request, { token }) => {
  const event = loadGallery(token);
  const release = acquireStream(request);
  try {
    return new Response(galleryEventStream(event.id, baseUrlFor(request), request.signal, release), {
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
