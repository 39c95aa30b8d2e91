import { countRead } from '@/lib/event-stats';
import { json, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { deletePictureByToken, loadPicture, serializePicture } from '@/lib/pictures';

type P = { token: string };

/** The holder of the take-home link reads the picture. */
export const GET = route<P>(async (request, { token }) => {
  const picture = await loadPicture(token);
  await countRead(picture.eventId, 'take_home_opens');
  return json({ picture: serializePicture(picture, baseUrlFor(request)) });
});

/** The holder of the link removes the picture: its row and files; the link answers 404 after. */
export const DELETE = route<P>(async (_request, { token }) => {
  await deletePictureByToken(token);
  return new Response(null, { status: 204 });
});
