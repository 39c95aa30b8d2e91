/**
 * The words of a session, shared by the server, the booth, the guest's phone and the admin page.
 * This folder imports nothing but itself: a browser bundle may take any of it.
 */

export const SESSION_TYPES = ['upload', 'download'] as const;
/** Stored statuses. `expired` is also derived at read time from `expires_at`. */
export const SESSION_STATUSES = ['pending', 'ready', 'completed', 'expired'] as const;
export const PHOTO_TYPES = ['uploaded', 'result'] as const;

export type SessionType = (typeof SESSION_TYPES)[number];
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export type PhotoType = (typeof PHOTO_TYPES)[number];

/** A session's lifetime: one second to 7 days. Shorter would make a session expired before anyone sees it. */
export const MIN_TTL_MINUTES = 1 / 60;
export const MAX_TTL_MINUTES = 7 * 24 * 60;

/** The layouts of the finished picture. */
export const LAYOUTS = ['grid', 'strip', 'single'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** How many photos each layout uses: the composer takes the first ones, the booth's preview shows them. */
export const LAYOUT_PHOTOS: Record<Layout, number> = { grid: 6, strip: 4, single: 1 };

/** Grid shape for n photos: 1 → 1×1, 2 → 2×1, 3–4 → 2×2, 5–6 → 3×2. */
export function gridShape(n: number): { cols: 1 | 2 | 3; rows: 1 | 2 } {
  if (n <= 1) return { cols: 1, rows: 1 };
  if (n === 2) return { cols: 2, rows: 1 };
  if (n <= 4) return { cols: 2, rows: 2 };
  return { cols: 3, rows: 2 };
}

export interface PhotoProgress {
  /** Enough photos for a picture (an upload session turns `ready` here). */
  ready: boolean;
  /** No more photos fit. */
  full: boolean;
  /** Photos that still fit. */
  left: number;
}

/** Where a session stands with its uploaded photos: the one rule for server, booth and phone. */
export function photoProgress(count: number, readyAt: number, maxPhotos: number): PhotoProgress {
  return { ready: count >= readyAt, full: count >= maxPhotos, left: Math.max(0, maxPhotos - count) };
}

/** photoProgress of a session as the API sends it. */
export function sessionProgress(session: {
  photo_count: number;
  ready_at: number;
  max_photos: number;
}): PhotoProgress {
  return photoProgress(session.photo_count, session.ready_at, session.max_photos);
}
