import { beforeBody, callerOf, json, readQuery, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { addUploadedPhoto, assertCanUpload, getPhotos, serializePhoto } from '@/lib/photos';
import { loadLiveSession, serializeSession } from '@/lib/sessions';
import { readPhotoBody } from '@/lib/upload';
import { photosQuerySchema } from '@/lib/validation';

type P = { id: string };

export const GET = route<P>((request, { id }) => {
  const { type } = readQuery(request, photosQuerySchema);
  const session = loadLiveSession(id);
  return json({ photos: getPhotos(session.id, type).map(serializePhoto) });
});

export const POST = route<P>(async (request, { id }) => {
  const caller = callerOf(request);
  // Refuse a full, closed or expired session before reading a byte of the upload.
  const sessionId = await beforeBody(request, () => {
    const current = loadLiveSession(id);
    assertCanUpload(current, caller.role);
    return current.id;
  });
  const body = await readPhotoBody(request);
  try {
    const { photo, session } = await addUploadedPhoto(sessionId, body.input, caller.role, {
      telegramFileId: body.telegramFileId,
    });
    return json(
      { photo: serializePhoto(photo), session: serializeSession(session, baseUrlFor(request)) },
      201,
    );
  } finally {
    await body.cleanup();
  }
});
