import { hostLinkOf, rotateHostLink } from '@/lib/gallery';
import { authorize, json, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';

type P = { id: string };

/** The admin reads the event's host gallery link (made now when the event has none). */
export const GET = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  return json(await hostLinkOf(id, baseUrlFor(request)));
});

/** The admin replaces the host link: the old one answers 404 gallery_not_found at once. */
export const POST = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  return json(await rotateHostLink(id, baseUrlFor(request)), 201);
});
