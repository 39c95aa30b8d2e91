import { assertMayActOnSession } from '@/lib/event-rules';
import { countDownload } from '@/lib/event-stats';
import { authorize, beforeBody, callerOf, json, readQuery, route } from '@/lib/http';
import { acquireUpload } from '@/lib/limits';
import { baseUrlFor } from '@/lib/links';
import { loadResult, noteResultFetch, saveResult, serializePhoto } from '@/lib/photos';
import { imageResponse } from '@/lib/serve-image';
import { loadLiveSession, serializeSession } from '@/lib/sessions';
import { assertDiskRoom } from '@/lib/storage';
import { readPhotoBody } from '@/lib/upload';
import { imageQuerySchema } from '@/lib/validation';

type P = { id: string };

export const GET = route<P>(async (request, { id }) => {
  const { variant, download } = readQuery(request, imageQuerySchema);
  const caller = await callerOf(request);
  const { session, photo } = await loadResult(id);
  const asFile = download === '1' || download === 'true';
  const response = await imageResponse(request, photo, { variant, download: asFile, immutable: false });
  await countDownload(session.eventId, request, response, asFile);
  await noteResultFetch(session.id, caller, { variant, method: request.method });
  return response;
});

export const POST = route<P>(async (request, { id }) => {
  const { session, release } = await beforeBody(request, async () => {
    const caller = await authorize(request, 'booth');
    const live = await loadLiveSession(id);
    assertMayActOnSession(caller, live);
    assertDiskRoom();
    return { session: live, release: acquireUpload(request) };
  });
  try {
    const body = await readPhotoBody(request);
    try {
      const saved = await saveResult(session.id, body.input, { telegramFileId: body.telegramFileId });
      return json(
        { photo: serializePhoto(saved.photo), session: serializeSession(saved.session, baseUrlFor(request)) },
        201,
      );
    } finally {
      await body.cleanup();
    }
  } finally {
    release();
  }
});
