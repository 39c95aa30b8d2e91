import { loadGallery } from '@/lib/gallery';
import { galleryZipResponse } from '@/lib/gallery-zip';
import { route } from '@/lib/http';

type P = { token: string };

/** The host downloads every live picture of the event as one ZIP, streamed as it is built. */
export const GET = route<P>(async (request, { token }) =>
  galleryZipResponse(request, await loadGallery(token)),
);
