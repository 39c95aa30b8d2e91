import { z } from 'zod';
import {
  assertMayReadEvent,
  deleteEvent,
  loadEvent,
  parseEventInput,
  serializeEvent,
  updateEvent,
} from '@/lib/event-rules';
import { authorize, json, readJson, route } from '@/lib/http';

type P = { id: string };

/** The admin, BOOTH_TOKEN, or a booth paired to this event. */
export const GET = route<P>(async (request, { id }) => {
  const caller = await authorize(request, 'booth');
  const event = await loadEvent(id);
  assertMayReadEvent(caller, event);
  return json({ event: serializeEvent(event) });
});

export const PUT = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  const input = parseEventInput(await readJson(request, z.unknown()), { create: false });
  return json({ event: serializeEvent(await updateEvent(id, input)) });
});

export const DELETE = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  await deleteEvent(id);
  return new Response(null, { status: 204 });
});
