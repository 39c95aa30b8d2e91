import { cleanupExpired } from '@/lib/cleanup';
import { authorize, json, route } from '@/lib/http';

export const POST = route(async (request) => {
  await authorize(request, 'admin');
  return json(await cleanupExpired());
});
