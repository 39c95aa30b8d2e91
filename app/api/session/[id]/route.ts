import { z } from 'zod';
import { assertMayActOnSession } from '@/lib/event-rules';
import { authorize, json, readJson, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { deleteSession, loadLiveSession, loadSession, serializeSession, updateSession } from '@/lib/sessions';
import { parseUpdateSession } from '@/lib/validation';

type P = { id: string };

export const GET = route<P>(async (request, { id }) => {
  const session = await loadLiveSession(id);
  return json({ session: serializeSession(session, baseUrlFor(request)) });
});

export const PUT = route<P>(async (request, { id }) => {
  assertMayActOnSession(await authorize(request, 'booth'), await loadSession(id));
  const body = parseUpdateSession(await readJson(request, z.unknown()));
  const session = await updateSession(id, {
    status: body.status,
    data: body.data,
    telegramUserId: body.telegram_user_id,
    telegramUsername: body.telegram_username,
    extendMinutes: body.extend_minutes,
  });
  return json({ session: serializeSession(session, baseUrlFor(request)) });
});

export const DELETE = route<P>(async (request, { id }) => {
  assertMayActOnSession(await authorize(request, 'booth'), await loadSession(id));
  await deleteSession(id);
  return new Response(null, { status: 204 });
});
