import { z } from 'zod';
import { createEvent, listEvents, parseEventInput, serializeEvent } from '@/lib/event-rules';
import { authorize, json, readJson, route } from '@/lib/http';

export const GET = route(async (request) => {
  await authorize(request, 'admin');
  return json({ events: (await listEvents()).map(serializeEvent) });
});

export const POST = route(async (request) => {
  await authorize(request, 'admin');
  const input = parseEventInput(await readJson(request, z.unknown()), { create: true });
  return json({ event: serializeEvent(await createEvent(input)) }, 201);
});
