import { newPairing } from '@/lib/booths';
import { authorize, json, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';

type P = { id: string };

/** A new pairing code for the booth; its earlier unused codes stop working. */
export const POST = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  return json({ pairing: await newPairing(id, baseUrlFor(request)) }, 201);
});
