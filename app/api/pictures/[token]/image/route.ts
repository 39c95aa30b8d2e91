import { readQuery, route } from '@/lib/http';
import { loadPicture, pictureImageResponse } from '@/lib/pictures';
import { imageQuerySchema } from '@/lib/validation';

type P = { token: string };

/** The picture's bytes (`?download=1`: as an attachment, `?variant=thumb`: small); ETag and 304. */
export const GET = route<P>((request, { token }) => {
  const { variant, download } = readQuery(request, imageQuerySchema);
  const picture = loadPicture(token);
  return pictureImageResponse(request, picture, {
    variant,
    download: download === '1' || download === 'true',
  });
});
