import { identify } from '@/lib/auth';
import { authorize, json, readQuery, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { loadResult, markResultFetched, saveResult, serializePhoto } from '@/lib/photos';
import { imageResponse } from '@/lib/serve-image';
import { loadLiveSession, serializeSession } from '@/lib/sessions';
import { readPhotoBody } from '@/lib/upload';
import { imageQuerySchema } from '@/lib/validation';

type P = { id: string };

export const GET = route<P>((request, { id }) => {
  const { variant, download } = readQuery(request, imageQuerySchema);
  const { session, photo } = loadResult(id);
  const response = imageResponse(request, photo, {
    variant,
    download: download === '1' || download === 'true',
    immutable: false,
  });
  // The guest has the picture (a 304 means they already had it): a download session is done.
  if (identify(request).role === 'guest' && variant === 'full' && request.method === 'GET')
    markResultFetched(session.id);
  return response;
});

export const POST = route<P>(async (request, { id }) => {
  authorize(request, 'booth');
  const session = loadLiveSession(id);
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
});
