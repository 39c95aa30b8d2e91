import { createBooth, createBoothSchema, serializeBooth } from '@/lib/booths';
import { authorize, json, readJson, route } from '@/lib/http';
import { baseUrlFor } from '@/lib/links';

type P = { id: string };

/** A new booth of this event with its first pairing code. */
export const POST = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  const { name } = await readJson(request, createBoothSchema);
  const { booth, pairing } = await createBooth(id, name, baseUrlFor(request));
  return json({ booth: serializeBooth(booth), pairing }, 201);
});
