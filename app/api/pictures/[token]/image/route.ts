import { countDownload } from '@/lib/event-stats';
import { callerOf, readQuery, route } from '@/lib/http';
import { notePictureFetch } from '@/lib/photos';
import { loadPicture, pictureImageResponse } from '@/lib/pictures';
import { imageQuerySchema } from '@/lib/validation';

type P = { token: string };

/** The picture's bytes (`?download=1`: as an attachment, `?variant=thumb`: small); ETag and 304. */
export const GET = route<P>(async (request, { token }) => {
  const { variant, download, from } = readQuery(request, imageQuerySchema);
  const caller = await callerOf(request);
  const picture = await loadPicture(token);
  const asFile = download === '1' || download === 'true';
  const response = await pictureImageResponse(request, picture, { variant, download: asFile });
  await countDownload(picture.eventId, request, response, asFile);
  // The slideshow showing a new picture is not its guest saving it (the booth's "saved ✓").
  if (from !== 'host') await notePictureFetch(picture.sessionId, caller, { variant, method: request.method });
  return response;
});
