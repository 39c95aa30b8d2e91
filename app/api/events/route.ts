import { z } from 'zod';
import { createEvent, listEvents, parseEventInput, serializeEvent } from '@/lib/event-rules';
import { authorize, json, readJson, route } from '@/lib/http';

export const GET = route((request) => {
  authorize(request, 'admin');
  return json({ events: listEvents().map(serializeEvent) });
});

export const POST = route(async (request) => {
  authorize(request, 'admin');
  const input = parseEventInput(await readJson(request, z.unknown()), { create: true });
  return json({ event: serializeEvent(createEvent(input)) }, 201);
});
