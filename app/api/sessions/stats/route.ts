import { storageTotals } from '@/db/queries';
import { authorize, json, route } from '@/lib/http';

/** Totals for the admin page (not in the original API): active sessions, photos, bytes on disk. */
export const GET = route((request) => {
  authorize(request, 'admin');
  const t = storageTotals(new Date());
  return json({
    active_sessions: t.activeSessions,
    photos_stored: t.photosStored,
    bytes_stored: t.bytesStored,
  });
});
