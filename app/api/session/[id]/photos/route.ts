import { assertMayActOnSession } from '@/lib/event-rules';
import { beforeBody, callerOf, json, readQuery, route } from '@/lib/http';
import { acquireUpload } from '@/lib/limits';
import { baseUrlFor } from '@/lib/links';
import {
  addUploadedPhoto,
  getPhotos,
  releaseUploadSlot,
  reserveUploadSlot,
  serializePhoto,
} from '@/lib/photos';
import { loadLiveSession, loadSession, serializeSession } from '@/lib/sessions';
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
  // Take the photo's slot before reading a byte of the upload: a full, closed or expired session
  // (or one whose last slots other uploads in flight hold) is refused at once, never after a
  // decode; so is one upload too many from this address or in all (lib/limits.ts).
  const { slot, release } = await beforeBody(request, () => {
    // A paired booth uploads to its own event's sessions only.
    if (caller.eventId) assertMayActOnSession(caller, loadSession(id));
    const release = acquireUpload(request);
    try {
      return { slot: reserveUploadSlot(id, caller.role), release };
    } catch (err) {
      release();
      throw err;
    }
  });
  try {
    const body = await readPhotoBody(request);
    try {
      const { photo, session } = await addUploadedPhoto(slot.sessionId, body.input, caller.role, {
        telegramFileId: body.telegramFileId,
        slot,
      });
      return json(
        { photo: serializePhoto(photo), session: serializeSession(session, baseUrlFor(request)) },
        201,
      );
    } finally {
      await body.cleanup();
    }
  } finally {
    releaseUploadSlot(slot);
    release();
  }
});
