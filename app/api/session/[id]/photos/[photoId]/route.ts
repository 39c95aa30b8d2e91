import { assertMayActOnSession } from '@/lib/event-rules';
import { callerOf, readQuery, route } from '@/lib/http';
import { deleteUploadedPhoto, loadPhoto } from '@/lib/photos';
import { imageResponse } from '@/lib/serve-image';
import { loadSession } from '@/lib/sessions';
import { imageQuerySchema } from '@/lib/validation';

type P = { id: string; photoId: string };

export const GET = route<P>(async (request, { id, photoId }) => {
  const { variant } = readQuery(request, imageQuerySchema);
  const photo = await loadPhoto(id, photoId);
  return imageResponse(request, photo, { variant, immutable: true });
});

/** The guest (upload sessions, before the picture is made) or the booth takes a photo back: 204. */
export const DELETE = route<P>(async (request, { id, photoId }) => {
  const caller = await callerOf(request);
  // A paired booth acts on its own event's sessions only.
  if (caller.eventId) assertMayActOnSession(caller, await loadSession(id));
  await deleteUploadedPhoto(id, photoId, caller.role);
  return new Response(null, { status: 204 });
});
