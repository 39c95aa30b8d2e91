import { headers } from 'next/headers';
import { identify } from '@/lib/auth';
import type { Role } from '@/lib/roles';

/**
 * The role of the browser that asks for a page: its login cookie, or a Bearer token (a kiosk
 * behind a proxy that adds it), checked by the API's own rule for a safe GET request.
 */
export async function pageRole(): Promise<Role> {
  const h = await headers();
  const forwarded: Record<string, string> = { cookie: h.get('cookie') ?? '' };
  const authorization = h.get('authorization');
  if (authorization) forwarded.authorization = authorization;
  return identify(new Request('http://page.local/', { headers: forwarded })).role;
}
