import { deleteGalleryPicture, loadGallery } from '@/lib/gallery';
import { route } from '@/lib/http';

type P = { token: string; id: string };

/** The host removes one of the event's pictures: its row and files (another event's: 404). */
export const DELETE = route<P>(async (_request, { token, id }) => {
  await deleteGalleryPicture(await loadGallery(token), id);
  return new Response(null, { status: 204 });
});
