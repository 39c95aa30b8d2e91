import { storageTotals } from '@/db/queries';
import type { StatsJson } from './shared/wire';
import { diskSpace } from './storage';

/** The admin page's totals: what is stored, and how much room is left for more. */
export async function adminStats(now = new Date()): Promise<StatsJson> {
  const t = await storageTotals(now);
  const disk = diskSpace();
  return {
    active_sessions: t.activeSessions,
    photos_stored: t.photosStored,
    bytes_stored: t.bytesStored,
    disk_free_bytes: disk.freeBytes,
    disk_floor_bytes: disk.floorBytes,
  };
}
