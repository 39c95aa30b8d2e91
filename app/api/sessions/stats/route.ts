import { adminStats } from '@/lib/admin-stats';
import { authorize, json, route } from '@/lib/http';

/**
 * Totals for the admin page (not in the original API): active sessions, photos, bytes on disk,
 * and the disk's free space with the floor below which new photos are refused.
 */
export const GET = route(async (request) => {
  await authorize(request, 'admin');
  return json(await adminStats());
});
