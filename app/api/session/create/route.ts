import { z } from 'zod';
import { eventForNewSession } from '@/lib/event-rules';
import { authorize, json, readJson, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';
import { createSession, serializeSession } from '@/lib/sessions';
import { parseCreateSession } from '@/lib/validation';

export const POST = route(async (request) => {
  const caller = await authorize(request, 'booth');
  const body = parseCreateSession(await readJson(request, z.unknown()));
  const session = await createSession({
    type: body.type,
    telegramUserId: body.telegram_user_id,
    telegramUsername: body.telegram_username,
    data: body.data,
    ttlMinutes: body.ttl_minutes,
    event: await eventForNewSession(caller, body.event_id),
    boothId: caller.boothId ?? null,
  });
  return json({ session: serializeSession(session, baseUrlFor(request)) }, 201);
});
