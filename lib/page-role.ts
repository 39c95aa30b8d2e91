import { headers } from 'next/headers';
import { findEvent } from '@/db/queries';
import type { EventRow } from '@/db/schema';
import { type Caller, identify } from '@/lib/auth';
import { defaultEvent } from '@/lib/event-rules';
import type { Role } from '@/lib/roles';

/**
 * The browser that asks for a page: its login cookie, or a Bearer token (a kiosk behind a proxy
 * that adds it), checked by the API's own rule for a safe GET request.
 */
export async function pageCaller(): Promise<Caller> {
  const h = await headers();
  const forwarded: Record<string, string> = { cookie: h.get('cookie') ?? '' };
  const authorization = h.get('authorization');
  if (authorization) forwarded.authorization = authorization;
  return await identify(new Request('http://page.local/', { headers: forwarded }));
}

export async function pageRole(): Promise<Role> {
  return (await pageCaller()).role;
}

/** The event a booth page acts for: a paired booth's own, else (BOOTH_TOKEN, not logged in) the default. */
export async function boothEventOf(caller: Caller): Promise<EventRow> {
  return (caller.eventId && (await findEvent(caller.eventId))) || (await defaultEvent());
}
