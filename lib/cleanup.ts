import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  allPictureStorageKeys,
  allStorageKeys,
  deleteSessionRow,
  expiredSessionIds,
  findEvent,
  findSession,
  hitRateLimit,
  listEvents,
  listPhotos,
  pruneAuthSessions,
  prunePairings,
  pruneRateLimits,
  pruneUploadSlots,
  transaction,
} from '@/db/queries';
import { getConfig } from './config';
import { publish } from './events';
import { withPgAdvisoryLock } from './pg-lock';
import { sweepExpiredPictures } from './pictures';
import type { CleanupJson } from './shared/wire';
import {
  bytesOnDisk,
  framesDir,
  listFrameFiles,
  listPhotoFiles,
  listPictureFiles,
  picturesDir,
  removeListedBlob,
  removeSessionDir,
  sweepTmp,
} from './storage';

/**
 * The sweep: expired sessions with their rows and files, files no row points to, and leftover
 * temporary files. Runs at start-up (before any request, so a crash leaves nothing behind),
 * every CLEANUP_INTERVAL_MINUTES, and on demand from the admin API.
 */

/** Files younger than this may belong to an upload between its rename and its commit. */
const ORPHAN_GRACE_MS = 5 * 60_000;
/** In a bucket (S3_BUCKET), shared by instances whose clocks and uploads this one cannot see: an hour. */
const BUCKET_ORPHAN_GRACE_MS = 60 * 60_000;
const orphanGraceMs = () => (bytesOnDisk() ? ORPHAN_GRACE_MS : BUCKET_ORPHAN_GRACE_MS);

const NOTHING_DELETED: CleanupJson = {
  deleted_sessions: 0,
  deleted_photos: 0,
  deleted_pictures: 0,
  freed_bytes: 0,
};

export async function cleanupExpired(now = new Date()): Promise<CleanupJson> {
  const result: CleanupJson = { ...NOTHING_DELETED };
  for (const id of await expiredSessionIds(now)) {
    const deleted = await transaction(async () => {
      const session = await findSession(id);
      if (!session) return null;
      const photos = (await listPhotos(id, undefined)).length;
      await deleteSessionRow(id);
      return photos;
    });
    if (deleted === null) continue;
    result.deleted_sessions++;
    result.deleted_photos += deleted;
    result.freed_bytes += await removeSessionDir(id);
    publish({ kind: 'gone', sessionId: id });
  }
  // Pictures outlive their sessions (their files are their own, the session's sweep leaves
  // them) and go when their event's retention ends.
  const pictures = await sweepExpiredPictures(now);
  result.deleted_pictures = pictures.pictures;
  result.freed_bytes += pictures.bytes;
  return result;
}

/** Removes photo, picture and frame blobs that no row references (and empty folders on disk). */
export async function sweepOrphans(opts: { all?: boolean } = {}): Promise<{ files: number; bytes: number }> {
  const files = await listPhotoFiles();
  const keys = await allStorageKeys();
  const now = Date.now();
  let removed = 0;
  let bytes = 0;
  for (const f of files) {
    if (f.storageKey && keys.has(f.storageKey)) continue;
    if (!opts.all && now - f.mtimeMs < orphanGraceMs()) continue;
    await removeListedBlob(f.key);
    removed++;
    bytes += f.size;
  }
  // Picture files no picture row points to (a crash between their write and the commit).
  const pictureKeys = await allPictureStorageKeys();
  for (const f of await listPictureFiles()) {
    if (f.storageKey && pictureKeys.has(f.storageKey)) continue;
    if (!opts.all && now - f.mtimeMs < orphanGraceMs()) continue;
    await removeListedBlob(f.key);
    removed++;
    bytes += f.size;
  }
  // Frame files no event points to: a crash between a frame's write and its commit, or before the
  // file it replaced (or its deleted event's folder) was removed. Listed before the keys are read,
  // so a frame committed in between is kept.
  const frameFiles = await listFrameFiles();
  const frameKeys = new Set((await listEvents()).map((e) => e.frameKey));
  for (const f of frameFiles) {
    if (f.frameKey && frameKeys.has(f.frameKey)) continue;
    if (!opts.all && now - f.mtimeMs < orphanGraceMs()) continue;
    await removeListedBlob(f.key);
    removed++;
    bytes += f.size;
  }
  // Empty frame and picture folders of events that no longer exist.
  for (const root of [framesDir(), picturesDir()]) {
    for (const d of await fsp.readdir(root).catch(() => [] as string[])) {
      if (await findEvent(d)) continue;
      await fsp.rmdir(path.join(root, d)).catch(() => {});
    }
  }
  // Folders of sessions that no longer exist and are now empty.
  const { photosDir } = getConfig();
  const dirs = await fsp.readdir(photosDir).catch(() => [] as string[]);
  for (const d of dirs) {
    const dir = path.join(photosDir, d);
    if (await findSession(d)) continue;
    const left = await fsp.readdir(dir).catch(() => null);
    if (left && left.length === 0) await removeSessionDir(d);
  }
  return { files: removed, bytes };
}

/** Hosted mode: the advisory lock that keeps the fleet's sweeps to one at a time ("pb-sweep"). */
export const SWEEP_LOCK_ID = 0x70622d7377656570n;

export type SweepJson = CleanupJson & { orphans: number; tmp: number };

/**
 * One sweep. Embedded: this process's (server.mjs runs it in one worker at a time). Hosted: one
 * instance of the fleet at a time, under a PostgreSQL advisory lock; an instance that finds the
 * lock taken skips this round (another is sweeping) and answers zeros for it; its own upload temp
 * files it sweeps either way.
 */
export async function runSweep(opts: { startup?: boolean } = {}): Promise<SweepJson> {
  // Upload temp files are this instance's own disk: every instance sweeps its own, whoever holds
  // the fleet's lock (a dead process's files, by the pid in their name, or an hour old).
  const tmp = await sweepTmp({ all: false });
  const url = getConfig().databaseUrl;
  if (!url) return { ...(await sweepOnce(opts)), tmp };
  const swept = await withPgAdvisoryLock(url, SWEEP_LOCK_ID, () => sweepOnce(opts));
  return { ...(swept.ran ? swept.result : { ...NOTHING_DELETED, orphans: 0 }), tmp };
}

async function sweepOnce(opts: { startup?: boolean }): Promise<Omit<SweepJson, 'tmp'>> {
  const expired = await cleanupExpired();
  // At start-up no upload of this process is in flight; in a bucket another instance's may be.
  const orphans = await sweepOrphans({ all: opts.startup && bytesOnDisk() });
  // Ended logins and rate-limit windows: small rows, but nothing else would remove them.
  const now = new Date();
  await pruneAuthSessions(now);
  await pruneRateLimits(now);
  await prunePairings(now);
  // At start-up no upload is in flight: slots a crash left behind are free again at once.
  await pruneUploadSlots(now, opts.startup);
  return { ...expired, orphans: orphans.files };
}

const g = globalThis as unknown as { __pbSweeper?: ReturnType<typeof setInterval> };

/** Starts the periodic sweep once per process (guarded: register() may run more than once). */
export function startSweeper(): void {
  if (g.__pbSweeper) return;
  const { cleanupIntervalMs } = getConfig();
  g.__pbSweeper = setInterval(() => {
    void periodicSweep(cleanupIntervalMs);
  }, cleanupIntervalMs);
  g.__pbSweeper.unref();
}

/**
 * The periodic sweep of one process. Every worker of every instance runs a timer, but one sweep
 * per interval is enough for the whole installation (hosted, each lists the whole bucket): the
 * first process to count itself in the interval's window (a rate_limits row, shared by every
 * process through the database) sweeps, the others skip. The window is a little shorter than the
 * interval, so the next tick opens a new one (a process that skips still sweeps its own upload temp
 * files: they are on its disk). True when this process swept.
 */
export async function periodicSweep(intervalMs: number, now = new Date()): Promise<boolean> {
  try {
    const { count } = await hitRateLimit('sweep:periodic', now, Math.floor(intervalMs * 0.9));
    if (count > 1) {
      await sweepTmp({ all: false }); // this process's own disk: no other process sweeps it
      return false;
    }
    await runSweep();
    return true;
  } catch (err) {
    console.error('[cleanup] sweep failed:', err);
    return false;
  }
}

export function stopSweeper(): void {
  if (g.__pbSweeper) clearInterval(g.__pbSweeper);
  g.__pbSweeper = undefined;
}
