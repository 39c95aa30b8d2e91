import { methodNotAllowed, readQuery, route } from '@/lib/http';
import { loadPhoto } from '@/lib/photos';
import { imageResponse } from '@/lib/serve-image';
import { imageQuerySchema } from '@/lib/validation';

type P = { id: string; photoId: string };

export const GET = route<P>((request, { id, photoId }) => {
  const { variant } = readQuery(request, imageQuerySchema);
  const photo = loadPhoto(id, photoId);
  return imageResponse(request, photo, { variant, immutable: true });
});

const notAllowed = methodNotAllowed('GET');
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
