import { removeEventFrame, setEventFrame } from '@/lib/branding';
import { loadEvent, serializeEvent } from '@/lib/event-rules';
import { authorize, beforeBody, json, route } from '@/lib/http';
import { acquireUpload } from '@/lib/limits';
import { assertDiskRoom } from '@/lib/storage';
import { readFrameBody } from '@/lib/upload';

type P = { id: string };

/** The admin uploads the event's overlay frame: multipart field `frame` (lib/branding.ts). */
export const PUT = route<P>(async (request, { id }) => {
  // Role, event and disk before a byte of the body is read.
  const release = await beforeBody(request, async () => {
    await authorize(request, 'admin');
    await loadEvent(id);
    assertDiskRoom();
    return acquireUpload(request);
  });
  try {
    const body = await readFrameBody(request);
    try {
      return json({ event: serializeEvent(await setEventFrame(id, body.input)) });
    } finally {
      await body.cleanup();
    }
  } finally {
    release();
  }
});

export const DELETE = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  return json({ event: serializeEvent(await removeEventFrame(id)) });
});
