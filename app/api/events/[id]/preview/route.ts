import { z } from 'zod';
import { renderPreview } from '@/lib/branding';
import { assertMayReadEvent, loadEvent } from '@/lib/event-rules';
import { authorize, readJson, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { parseCompose } from '@/lib/validation';

type P = { id: string };

/**
 * The event's picture as compose would draw it, from the bundled sample photos: the admin (and
 * the booth of this event) sees the branding while editing it. Full size, image/jpeg, not stored.
 */
export const POST = route<P>(async (request, { id }) => {
  const caller = await authorize(request, 'booth');
  const event = await loadEvent(id);
  assertMayReadEvent(caller, event);
  const { layout, caption } = parseCompose(await readJson(request, z.unknown()));
  const image = await renderPreview(event, layout ?? event.layouts[0] ?? 'grid', {
    caption,
    baseUrl: baseUrlFor(request),
  });
  return new Response(new Uint8Array(image.full), {
    status: 200,
    headers: {
      'Content-Type': 'image/jpeg',
      'Content-Length': String(image.full.length),
      'Cache-Control': 'no-store',
    },
  });
});
