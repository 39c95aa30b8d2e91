import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { getConfig } from './config';
import { ApiError } from './errors';

/**
 * Photo bytes on disk: <DATA_DIR>/photos/<session_id>/<photo_id>.jpg and <photo_id>.thumb.jpg.
 * A storage key is "<session_id>/<photo_id>". Writes go to <DATA_DIR>/tmp first, are fsynced,
 * then renamed into place (and the directory fsynced), so a file is either whole or absent.
 */
export type Variant = 'full' | 'thumb';

export function filePath(storageKey: string, variant: Variant): string {
  const { photosDir } = getConfig();
  return path.join(photosDir, `${storageKey}${variant === 'thumb' ? '.thumb' : ''}.jpg`);
}

export function sessionDir(sessionId: string): string {
  return path.join(getConfig().photosDir, sessionId);
}

/**
 * Temporary files carry the pid so the start-up sweep can tell a dead process's leftovers. `dir`:
 * another temporary folder (on the file system of the final file, for the rename); default tmp/.
 */
export function tmpPath(suffix = '.tmp', dir: string = getConfig().tmpDir): string {
  return path.join(dir, `${process.pid}-${randomUUID()}${suffix}`);
}

export function ensureDirs(): void {
  const { photosDir, tmpDir } = getConfig();
  fs.mkdirSync(photosDir, { recursive: true });
  fs.mkdirSync(tmpDir, { recursive: true });
}

/** Disk errors the guest cannot fix: the answer is 507, never a bare 500. */
export function isStorageError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return [
    'EACCES',
    'EPERM',
    'ENOSPC',
    'EROFS',
    'EDQUOT',
    'EIO',
    'ENOENT',
    'ENOTDIR',
    'EISDIR',
    // A folder we need exists as a regular file (mkdir over it).
    'EEXIST',
    'EMFILE',
    'ENFILE',
  ].includes(code ?? '');
}

export function storageError(err: unknown): ApiError {
  console.error('[storage] write failed:', err);
  return new ApiError('storage_unavailable', 'The photo could not be stored right now. Please try again.');
}

export interface DiskSpace {
  /** Bytes this process may still write on the data directory's file system. */
  freeBytes: number;
  /** Below this, new photos are refused (DISK_FREE_FLOOR_MB). */
  floorBytes: number;
}

export function diskSpace(): DiskSpace {
  const { dataDir, diskFreeFloorBytes } = getConfig();
  fs.mkdirSync(dataDir, { recursive: true });
  const st = fs.statfsSync(dataDir);
  return { freeBytes: st.bavail * st.bsize, floorBytes: diskFreeFloorBytes };
}

/**
 * Refuses new photos (507) while the disk is nearly full: a full disk would stop SQLite too, and
 * with it the booth. Checked before an upload's body is read and before a result is written.
 */
export function assertDiskRoom(): void {
  let space: DiskSpace;
  try {
    space = diskSpace();
  } catch (err) {
    throw storageError(err);
  }
  if (space.freeBytes < space.floorBytes) {
    const mb = (n: number) => `${Math.floor(n / (1024 * 1024))} MB`;
    console.error(`[storage] disk nearly full: ${mb(space.freeBytes)} free, floor ${mb(space.floorBytes)}`);
    throw new ApiError(
      'storage_unavailable',
      `The server's disk is nearly full (${mb(space.freeBytes)} free); no new photos until space is freed.`,
    );
  }
}

/**
 * Writes a new file (never over an existing one) and fsyncs it. From a stream, the stream's own
 * error rejects as it is (a guest's aborted upload is not a disk error). Resolves to the bytes written.
 */
export async function writeDurable(file: string, data: Buffer | Readable): Promise<number> {
  const fh = await fsp.open(file, 'wx', 0o600);
  try {
    let bytes: number;
    if (Buffer.isBuffer(data)) {
      await fh.writeFile(data);
      bytes = data.length;
    } else {
      bytes = 0;
      for await (const chunk of data) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        await fh.write(buf);
        bytes += buf.length;
      }
    }
    await fh.sync();
    return bytes;
  } finally {
    await fh.close();
  }
}

/** Makes a rename or a new entry in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes both variants durably under their final names. Returns a function that removes them
 * again (used when the database refuses the row afterwards).
 */
export async function storePhotoFiles(
  storageKey: string,
  full: Buffer,
  thumb: Buffer,
): Promise<() => Promise<void>> {
  const finalFull = filePath(storageKey, 'full');
  const finalThumb = filePath(storageKey, 'thumb');
  const tmpFull = tmpPath('.jpg');
  const tmpThumb = tmpPath('.jpg');
  try {
    ensureDirs();
    // A new session folder must itself be durable in photos/, or a power cut could lose it whole.
    if (await fsp.mkdir(path.dirname(finalFull), { recursive: true })) {
      await fsyncDir(path.dirname(path.dirname(finalFull)));
    }
    await Promise.all([writeDurable(tmpFull, full), writeDurable(tmpThumb, thumb)]);
    await fsp.rename(tmpThumb, finalThumb);
    await fsp.rename(tmpFull, finalFull);
    await fsyncDir(path.dirname(finalFull));
  } catch (err) {
    await Promise.all([tmpFull, tmpThumb, finalFull, finalThumb].map((f) => fsp.rm(f, { force: true })));
    throw isStorageError(err) ? storageError(err) : err;
  }
  return async () => {
    await removePhotoFiles(storageKey);
  };
}

export async function removePhotoFiles(storageKey: string): Promise<number> {
  let freed = 0;
  for (const variant of ['full', 'thumb'] as const) {
    const file = filePath(storageKey, variant);
    try {
      freed += (await fsp.stat(file)).size;
      await fsp.rm(file, { force: true });
    } catch {
      // already gone
    }
  }
  return freed;
}

export async function removeSessionDir(sessionId: string): Promise<number> {
  const dir = sessionDir(sessionId);
  let freed = 0;
  try {
    for (const name of await fsp.readdir(dir)) {
      try {
        freed += (await fsp.stat(path.join(dir, name))).size;
      } catch {
        // raced with another delete
      }
    }
  } catch {
    return 0;
  }
  await fsp.rm(dir, { recursive: true, force: true });
  return freed;
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process that nobody has reaped yet (a zombie) still answers kill(0); it writes nothing.
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

/**
 * Removes temporary files of dead processes, and any older than maxAgeMs (a stuck upload).
 * With `all`, every temporary file goes (start-up, before any request is served).
 */
export async function sweepTmp(opts: { all?: boolean; maxAgeMs?: number } = {}): Promise<number> {
  const { tmpDir } = getConfig();
  const maxAge = opts.maxAgeMs ?? 60 * 60_000;
  let removed = 0;
  let names: string[];
  try {
    names = await fsp.readdir(tmpDir);
  } catch {
    return 0;
  }
  const now = Date.now();
  for (const name of names) {
    const file = path.join(tmpDir, name);
    const pid = Number.parseInt(name.split('-')[0] ?? '', 10);
    let stale = opts.all || !Number.isFinite(pid) || !pidAlive(pid);
    if (!stale) {
      try {
        stale = now - (await fsp.stat(file)).mtimeMs > maxAge;
      } catch {
        continue;
      }
    }
    if (stale) {
      await fsp.rm(file, { force: true, recursive: true });
      removed++;
    }
  }
  return removed;
}

/** Every photo file on disk with its storage key, variant, size and age. */
export async function listPhotoFiles(): Promise<
  { file: string; storageKey: string | null; sessionId: string; size: number; mtimeMs: number }[]
> {
  const { photosDir } = getConfig();
  const out: { file: string; storageKey: string | null; sessionId: string; size: number; mtimeMs: number }[] =
    [];
  let dirs: string[];
  try {
    dirs = await fsp.readdir(photosDir);
  } catch {
    return out;
  }
  for (const sessionId of dirs) {
    const dir = path.join(photosDir, sessionId);
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const m = /^([0-9a-f-]{36})(\.thumb)?\.jpg$/.exec(name);
      try {
        const st = await fsp.stat(file);
        out.push({
          file,
          storageKey: m ? `${sessionId}/${m[1]}` : null,
          sessionId,
          size: st.size,
          mtimeMs: st.mtimeMs,
        });
      } catch {
        // raced with a delete
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Event frames: <DATA_DIR>/frames/<event_id>/<uuid>.png. A frame key is "<event_id>/<uuid>": a
// replaced frame gets a new file (so nothing that still reads the old one sees it change), and
// the old one is removed once the event points at the new one.

export function framesDir(): string {
  return path.join(getConfig().dataDir, 'frames');
}

export function frameFilePath(frameKey: string): string {
  return path.join(framesDir(), `${frameKey}.png`);
}

/** Writes a frame PNG durably (temporary file, fsync, rename) and returns its new frame key. */
export async function storeFrameFile(eventId: string, png: Buffer): Promise<string> {
  const key = `${eventId}/${randomUUID()}`;
  const final = frameFilePath(key);
  const tmp = tmpPath('.png');
  try {
    ensureDirs();
    await fsp.mkdir(path.dirname(final), { recursive: true });
    await writeDurable(tmp, png);
    await fsp.rename(tmp, final);
    await fsyncDir(path.dirname(final));
  } catch (err) {
    await Promise.all([tmp, final].map((f) => fsp.rm(f, { force: true })));
    throw isStorageError(err) ? storageError(err) : err;
  }
  return key;
}

/** Removes one frame file (a replaced or removed frame). */
export async function removeFrameFile(frameKey: string): Promise<void> {
  await fsp.rm(frameFilePath(frameKey), { force: true }).catch(() => {});
}

/** Every frame file on disk with its frame key (null for a name that is not ours), size and age. */
export async function listFrameFiles(): Promise<
  { file: string; frameKey: string | null; size: number; mtimeMs: number }[]
> {
  const out: { file: string; frameKey: string | null; size: number; mtimeMs: number }[] = [];
  const root = framesDir();
  for (const eventId of await fsp.readdir(root).catch(() => [] as string[])) {
    const dir = path.join(root, eventId);
    for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
      const file = path.join(dir, name);
      const m = /^([0-9a-f-]{36})\.png$/.exec(name);
      try {
        const st = await fsp.stat(file);
        out.push({ file, frameKey: m ? `${eventId}/${m[1]}` : null, size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // raced with a delete
      }
    }
  }
  return out;
}

/** Removes every frame file of an event (the event is deleted). */
export async function removeEventFrames(eventId: string): Promise<void> {
  await fsp.rm(path.join(framesDir(), eventId), { recursive: true, force: true }).catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// Pictures (lib/pictures.ts): a finished picture's own files, apart from the session's, so the
// session's sweep or deletion leaves them. <DATA_DIR>/pictures/<event_id>/<file_id>.jpg (and
// .thumb.jpg); a picture storage key is "<event_id>/<file_id>".

export function picturesDir(): string {
  return path.join(getConfig().dataDir, 'pictures');
}

export function pictureFilePath(storageKey: string, variant: Variant = 'full'): string {
  return path.join(picturesDir(), `${storageKey}${variant === 'thumb' ? '.thumb' : ''}.jpg`);
}

/**
 * Writes a picture's files durably (temporary file, fsync, rename, fsync of the folder), before
 * the row that points at them is committed. Returns a function that removes them again.
 */
export async function storePictureFiles(
  storageKey: string,
  full: Buffer,
  thumb: Buffer,
): Promise<() => Promise<void>> {
  const finalFull = pictureFilePath(storageKey, 'full');
  const finalThumb = pictureFilePath(storageKey, 'thumb');
  const tmpFull = tmpPath('.jpg');
  const tmpThumb = tmpPath('.jpg');
  try {
    ensureDirs();
    const dir = path.dirname(finalFull);
    if (await fsp.mkdir(dir, { recursive: true })) await fsyncDir(path.dirname(dir));
    await Promise.all([writeDurable(tmpFull, full), writeDurable(tmpThumb, thumb)]);
    await fsp.rename(tmpThumb, finalThumb);
    await fsp.rename(tmpFull, finalFull);
    await fsyncDir(dir);
  } catch (err) {
    await Promise.all([tmpFull, tmpThumb, finalFull, finalThumb].map((f) => fsp.rm(f, { force: true })));
    throw isStorageError(err) ? storageError(err) : err;
  }
  return async () => {
    await removePictureFiles(storageKey);
  };
}

export async function removePictureFiles(storageKey: string): Promise<number> {
  let freed = 0;
  for (const variant of ['full', 'thumb'] as const) {
    const file = pictureFilePath(storageKey, variant);
    try {
      freed += (await fsp.stat(file)).size;
      await fsp.rm(file, { force: true });
    } catch {
      // already gone
    }
  }
  return freed;
}

/**
 * Removes an event's picture folder (the event was deleted). Never throws: the rows are gone
 * already, and whatever stays on disk is the orphan sweep's (picture files no row points to).
 */
export async function removeEventPictures(eventId: string): Promise<void> {
  await fsp.rm(path.join(picturesDir(), eventId), { recursive: true, force: true }).catch((err) => {
    console.error(`[storage] the pictures of deleted event ${eventId} stay for the orphan sweep:`, err);
  });
}

/** Every picture file on disk with its storage key (null for a name that is not ours), size and age. */
export async function listPictureFiles(): Promise<
  { file: string; storageKey: string | null; size: number; mtimeMs: number }[]
> {
  const out: { file: string; storageKey: string | null; size: number; mtimeMs: number }[] = [];
  const root = picturesDir();
  const dirs = await fsp.readdir(root).catch(() => [] as string[]);
  for (const eventId of dirs) {
    const dir = path.join(root, eventId);
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const file = path.join(dir, name);
      const m = /^([0-9a-f-]{36})(\.thumb)?\.jpg$/.exec(name);
      try {
        const st = await fsp.stat(file);
        out.push({ file, storageKey: m ? `${eventId}/${m[1]}` : null, size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // raced with a delete
      }
    }
  }
  return out;
}
