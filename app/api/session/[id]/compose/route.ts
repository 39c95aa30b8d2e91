import { z } from 'zod';
import { assertMayActOnSession } from '@/lib/event-rules';
import { authorize, json, readJson, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { composeResult, serializePhoto } from '@/lib/photos';
import { loadLiveSession, serializeSession } from '@/lib/sessions';
import { parseCompose } from '@/lib/validation';

type P = { id: string };

export const POST = route<P>(async (request, { id }) => {
  const caller = await authorize(request, 'booth');
  const session = await loadLiveSession(id);
  assertMayActOnSession(caller, session);
  const { layout, caption } = parseCompose(await readJson(request, z.unknown()));
  const saved = await composeResult(session.id, layout, caption, { baseUrl: baseUrlFor(request) });
  return json(
    { photo: serializePhoto(saved.photo), session: serializeSession(saved.session, baseUrlFor(request)) },
    201,
  );
});
