import { loadBooth, serializeBooth } from '@/lib/booths';
import { defaultEvent, loadEvent, serializeEvent } from '@/lib/event-rules';
import { authorize, json, route } from '@/lib/http';

/**
 * Who this booth is and the event it acts for now (a booth can be moved): a paired booth gets
 * its booth and event, BOOTH_TOKEN (booth: null) the default event. Not in the contract; the
 * booth page reads it at start and now and then, which also keeps the booth "online".
 */
export const GET = route(async (request) => {
  const caller = await authorize(request, 'booth');
  if (!caller.boothId || !caller.eventId)
    return json({ booth: null, event: serializeEvent(await defaultEvent()) });
  return json({
    booth: serializeBooth(await loadBooth(caller.boothId)),
    event: serializeEvent(await loadEvent(caller.eventId)),
  });
});
