import { z } from 'zod';
import { readQuery, route } from '@/lib/http';
import { renderSessionPreview } from '@/lib/photos';

type P = { id: string };

const previewQuery = z.object({ layout: z.string().max(32).default('') });

/** The phone's preview of the picture in a layout, from the session's photos (holder of the link). */
export const GET = route<P>(async (request, { id }) => {
  const { layout } = readQuery(request, previewQuery);
  const jpeg = await renderSessionPreview(id, layout);
  return new Response(new Uint8Array(jpeg), {
    status: 200,
    headers: {
      'Content-Type': 'image/jpeg',
      'Content-Length': String(jpeg.length),
      'Cache-Control': 'no-store',
    },
  });
});
