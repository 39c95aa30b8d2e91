import { loadGallery } from '@/lib/gallery';
import { galleryZipResponse } from '@/lib/gallery-zip';
import { route } from '@/lib/http';

type P = { token: string };

/** The host downloads every live picture of the event as one ZIP, streamed as it is built. */
export const GET = route<P>((request, { token }) => galleryZipResponse(request, loadGallery(token)));
