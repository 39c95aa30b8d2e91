import { readQuery, route } from '@/lib/http';
import { loadPhoto } from '@/lib/photos';
import { imageResponse } from '@/lib/serve-image';
import { imageQuerySchema } from '@/lib/validation';

type P = { id: string; photoId: string };

export const GET = route<P>((request, { id, photoId }) => {
  const { variant } = readQuery(request, imageQuerySchema);
  const photo = loadPhoto(id, photoId);
  return imageResponse(request, photo, { variant, immutable: true });
});
