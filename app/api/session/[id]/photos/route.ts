import { beforeBody, callerOf, json, readQuery, route } from '@/lib/http';
import { acquireUpload } from '@/lib/limits';
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
  // Refuse a full, closed or expired session, or one upload too many, before reading a byte.
  const { sessionId, release } = await beforeBody(request, () => {
    const current = loadLiveSession(id);
    assertCanUpload(current, caller.role);
    return { sessionId: current.id, release: acquireUpload(request) };
  });
  try {
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
  } finally {
    release();
  }
});
