import { assertMayActOnSession } from '@/lib/event-rules';
import { beforeBody, callerOf, json, readQuery, route } from '@/lib/http';
import { acquireUpload } from '@/lib/limits';
import { baseUrlFor } from '@/lib/links';
import {
  addUploadedPhoto,
  assertConsent,
  consentNeeded,
  getPhotos,
  releaseUploadSlot,
  reserveUploadSlot,
  serializePhoto,
} from '@/lib/photos';
import { loadLiveSession, loadSession, serializeSession } from '@/lib/sessions';
import { readPhotoBody } from '@/lib/upload';
import { photosQuerySchema } from '@/lib/validation';

type P = { id: string };

export const GET = route<P>(async (request, { id }) => {
  const { type } = readQuery(request, photosQuerySchema);
  const session = await loadLiveSession(id);
  return json({ photos: (await getPhotos(session.id, type)).map(serializePhoto) });
});

export const POST = route<P>(async (request, { id }) => {
  const caller = await callerOf(request);
  // Take the photo's slot before reading a byte of the upload: a full, closed or expired session
  // (or one whose last slots other uploads in flight hold) is refused at once, never after a
  // decode; so is one upload too many from this address or in all (lib/limits.ts).
  const { slot, release, needsConsent } = await beforeBody(request, async () => {
    const session = await loadSession(id);
    // A paired booth uploads to its own event's sessions only.
    if (caller.eventId) assertMayActOnSession(caller, session);
    const release = acquireUpload(request);
    try {
      return {
        slot: await reserveUploadSlot(id, caller.role),
        release,
        needsConsent: await consentNeeded(session, caller.role),
      };
    } catch (err) {
      release();
      throw err;
    }
  });
  try {
    const body = await readPhotoBody(request);
    try {
      // Decided once the form is read (the field may come before or after the file), before the
      // photo is decoded or stored: without consent nothing is kept and the slot is freed.
      assertConsent(needsConsent, body.consent);
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
    await releaseUploadSlot(slot);
    release();
  }
});
