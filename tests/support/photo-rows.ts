import { expect } from 'vitest';
import { readJson } from '../../bench/lib/api';
import { dbRows } from './db';

/** An uploaded photo's row as a crash or kill test checks it (either database). */
export type UploadedPhotoRow = {
  id: string;
  session_id: string;
  order_index: number;
  bytes: number;
  sha256: string;
  storage_key: string;
};

/** Every uploaded photo's row of the server started on `dataDir`. */
export function uploadedPhotoRows(dataDir: string): Promise<UploadedPhotoRow[]> {
  return dbRows<UploadedPhotoRow>(
    "select id, session_id, order_index, bytes, sha256, storage_key from session_photos where photo_type = 'uploaded'",
    [],
    dataDir,
  );
}

/**
 * After a crash: for each session, at most 5 photos, order_index 0..n-1 without a gap or a
 * duplicate, and the session's photo_count (as `serverUrl` answers it) equal to its rows.
 */
export async function expectLimitHeld(
  sessionIds: string[],
  rows: UploadedPhotoRow[],
  serverUrl: string,
): Promise<void> {
  for (const id of sessionIds) {
    const mine = rows.filter((r) => r.session_id === id).map((r) => r.order_index);
    expect(mine.length).toBeLessThanOrEqual(5);
    expect([...mine].sort((a, b) => a - b)).toEqual(mine.map((_, i) => i));
    const json = await readJson(await fetch(`${serverUrl}/api/session/${id}`));
    expect(json.session.photo_count).toBe(mine.length);
  }
}
