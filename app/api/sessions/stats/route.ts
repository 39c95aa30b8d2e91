import { storageTotals } from '@/db/queries';
import { authorize, json, methodNotAllowed, route } from '@/lib/http';
import { diskSpace } from '@/lib/storage';

/**
 * Totals for the admin page (not in the original API): active sessions, photos, bytes on disk,
 * and the disk's free space with the floor below which new photos are refused.
 */
export const GET = route((request) => {
  authorize(request, 'admin');
  const t = storageTotals(new Date());
  const disk = diskSpace();
  return json({
    active_sessions: t.activeSessions,
    photos_stored: t.photosStored,
    bytes_stored: t.bytesStored,
    disk_free_bytes: disk.freeBytes,
    disk_floor_bytes: disk.floorBytes,
  });
});

const notAllowed = methodNotAllowed('GET');
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
