import { z } from 'zod';
import { listBooths, serializeBooth } from '@/lib/booths';
import { loadEvent } from '@/lib/event-rules';
import { authorize, json, readQuery, route } from '@/lib/http';

const querySchema = z.object({ event_id: z.string().max(64).optional() });

/** Every booth, oldest first; `?event_id=` keeps one event's. */
export const GET = route(async (request) => {
  await authorize(request, 'admin');
  const { event_id } = readQuery(request, querySchema);
  const eventId = event_id === undefined ? undefined : (await loadEvent(event_id)).id;
  const now = new Date();
  return json({ booths: (await listBooths({ eventId })).map((b) => serializeBooth(b, now)) });
});
