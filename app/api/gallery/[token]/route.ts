import { galleryPage, galleryQuerySchema, loadGallery } from '@/lib/gallery';
import { json, readQuery, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';

type P = { token: string };

/** The holder of the host link reads a page of the event's pictures, newest first. */
export const GET = route<P>(async (request, { token }) => {
  const event = await loadGallery(token);
  const query = readQuery(request, galleryQuerySchema);
  return json(await galleryPage(event, baseUrlFor(request), query), 200, { 'Cache-Control': 'no-store' });
});
