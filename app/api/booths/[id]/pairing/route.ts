import { newPairing } from '@/lib/booths';
import { authorize, json, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';

type P = { id: string };

/** A new pairing code for the booth; its earlier unused codes stop working. */
export const POST = route<P>((request, { id }) => {
  authorize(request, 'admin');
  return json({ pairing: newPairing(id, baseUrlFor(request)) }, 201);
});
