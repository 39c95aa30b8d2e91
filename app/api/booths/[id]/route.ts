import { deleteBooth, serializeBooth, updateBooth, updateBoothSchema } from '@/lib/booths';
import { authorize, json, readJson, route } from '@/lib/http';

type P = { id: string };

/** Rename a booth, or move it to another event (`event_id`). */
export const PUT = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  const input = await readJson(request, updateBoothSchema);
  return json({ booth: serializeBooth(await updateBooth(id, input)) });
});

/** The booth's login stops working at once (its auth_sessions rows cascade). */
export const DELETE = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  await deleteBooth(id);
  return new Response(null, { status: 204 });
});
