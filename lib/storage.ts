import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { type BlobBody, type BlobListEntry, type ByteRange, blobStore } from './blobs';
import { getConfig } from './config';
import { ApiError } from './errors';

/**
 * Where the bytes of photos, thumbnails, pictures and frames live: the process's blob store
 * (lib/blobs/), files in DATA_DIR by default or an S3-compatible bucket with S3_BUCKET. Every
 * read, write, delete and listing of those bytes goes through the functions below.
 *
 * Blob keys are today's paths under DATA_DIR, so a booth laptop's data directory keeps working:
 *   photos/<session_id>/<photo_id>.jpg and .thumb.jpg   (a photo's storage key "<session_id>/<photo_id>")
 *   pictures/<event_id>/<file_id>.jpg and .thumb.jpg    (a picture's storage key "<event_id>/<file_id>")
 *   frames/<event_id>/<uuid>.png                         (a frame key "<event_id>/<uuid>")
 * A write is durable when it resolves (on disk: temporary file in DATA_DIR/tmp, fsync, rename,
 * fsync of the folder), so a blob is either whole or absent. Only temporary files of uploads
 * being received stay on the instance's disk in S3 mode.
 */
export type Variant = 'full' | 'thumb';

const variantSuffix = (variant: Variant) => (variant === 'thumb' ? '.thumb' : '');

/** The blob key of a photo's variant: "photos/<session_id>/<photo_id>.jpg" (or .thumb.jpg). */
export function photoBlobKey(storageKey: string, variant: Variant): string {
  return `photos/${storageKey}${variantSuffix(variant)}.jpg`;
}

/** The blob key of a take-home picture's variant: "pictures/<event_id>/<file_id>.jpg" (or .thumb.jpg). */
export function pictureBlobKey(storageKey: string, variant: Variant = 'full'): string {
  return `pictures/${storageKey}${variantSuffix(variant)}.jpg`;
}

/** The blob key of an event's frame: "frames/<event_id>/<uuid>.png". */
export function frameBlobKey(frameKey: string): string {
  return `frames/${frameKey}.png`;
}

/**
 * Temporary files carry the pid so the start-up sweep can tell a dead process's leftovers. `dir`:
 * another temporary folder (on the file system of the final file, for the rename); default tmp/.
 */
export function tmpPath(suffix = '.tmp', dir: string = getConfig().tmpDir): string {
  return path.join(dir, `${process.pid}-${randomUUID()}${suffix}`);
}

/** The temporary folder (and, for the embedded store, photos/). */
export function ensureDirs(): void {
  const { photosDir, tmpDir, s3 } = getConfig();
  if (!s3) fs.mkdirSync(photosDir, { recursive: true });
  fs.mkdirSync(tmpDir, { recursive: true });
}

/** Whether the bytes live in DATA_DIR (the embedded default), not in a bucket. */
export function bytesOnDisk(): boolean {
  return !getConfig().s3;
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
 * With S3_BUCKET the bytes do not go to this disk: no check (the bucket's own failures are 507).
 */
export function assertDiskRoom(): void {
  if (!bytesOnDisk()) return;
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

// ---------------------------------------------------------------------------------------------
// Blob helpers.

/** Stores each [key, bytes] pair; on any failure none of them is left. Errors are 507 storage_unavailable. */
async function putAll(blobs: [string, Buffer][], contentType: string): Promise<void> {
  const store = blobStore();
  // At once (both variants of a photo), each settled before any cleanup, so none lands after it.
  const settled = await Promise.allSettled(
    blobs.map(([key, bytes]) => store.put(key, bytes, { contentType })),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(blobs.map(([key]) => store.delete(key).catch(() => {})));
    const err = failed.reason;
    throw err instanceof ApiError ? err : isStorageError(err) ? storageError(err) : err;
  }
}

/** Removes these blobs, resolving to the bytes freed. Never throws: a blob left is the orphan sweep's. */
async function removeAll(keys: string[]): Promise<number> {
  const store = blobStore();
  let freed = 0;
  for (const key of keys) {
    try {
      const st = await store.stat(key);
      if (!st) continue;
      await store.delete(key);
      freed += st.bytes;
    } catch (err) {
      console.error(`[storage] could not remove ${key}; the orphan sweep will:`, (err as Error).message);
    }
  }
  return freed;
}

/** Removes every blob under a folder prefix, resolving to the bytes freed. Never throws. */
async function removeFolder(prefix: string): Promise<number> {
  const store = blobStore();
  let freed = 0;
  try {
    for await (const entry of store.list(prefix)) freed += entry.bytes;
    await store.deletePrefix(prefix);
  } catch (err) {
    console.error(`[storage] could not remove ${prefix}; the orphan sweep will:`, (err as Error).message);
  }
  return freed;
}

/** Every blob under a prefix; an unreadable store lists nothing (the sweep tries again later). */
async function listAll(prefix: string): Promise<BlobListEntry[]> {
  const out: BlobListEntry[] = [];
  try {
    for await (const entry of blobStore().list(prefix)) out.push(entry);
  } catch (err) {
    console.error(`[storage] could not list ${prefix}:`, (err as Error).message);
  }
  return out;
}

/** A stored blob's whole bytes; a missing one rejects (an Error, not an ApiError: the caller says which). */
async function readAll(key: string): Promise<Buffer> {
  const blob = await blobStore().get(key);
  if (!blob) throw Object.assign(new Error(`${key} is missing from the store`), { code: 'ENOENT' });
  const chunks: Buffer[] = [];
  for await (const chunk of blob.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------
// Photos: photos/<session_id>/<photo_id>.jpg and .thumb.jpg.

/**
 * Writes both variants durably under their final keys. Returns a function that removes them
 * again (used when the database refuses the row afterwards).
 */
export async function storePhotoFiles(
  storageKey: string,
  full: Buffer,
  thumb: Buffer,
): Promise<() => Promise<void>> {
  await putAll(
    [
      [photoBlobKey(storageKey, 'thumb'), thumb],
      [photoBlobKey(storageKey, 'full'), full],
    ],
    'image/jpeg',
  );
  return async () => {
    await removePhotoFiles(storageKey);
  };
}

/** A photo's variant (optionally a byte range of it) as a stream; null when it is not stored. */
export function openPhoto(storageKey: string, variant: Variant, range?: ByteRange): Promise<BlobBody | null> {
  return blobStore().get(photoBlobKey(storageKey, variant), { range });
}

/** A photo's variant, all of it (compose, Telegram). Rejects when it is missing. */
export function readPhotoBuffer(storageKey: string, variant: Variant): Promise<Buffer> {
  return readAll(photoBlobKey(storageKey, variant));
}

export async function removePhotoFiles(storageKey: string): Promise<number> {
  return removeAll([photoBlobKey(storageKey, 'full'), photoBlobKey(storageKey, 'thumb')]);
}

/** Removes all of a session's photo blobs (photos/<session_id>/), resolving to the bytes freed. */
export async function removeSessionDir(sessionId: string): Promise<number> {
  return removeFolder(`photos/${sessionId}/`);
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

/** Every photo blob with its storage key (null for a name that is not ours), session, size and age. */
export async function listPhotoFiles(): Promise<
  { key: string; storageKey: string | null; sessionId: string; size: number; mtimeMs: number }[]
> {
  return (await listImageBlobs('photos/')).map(({ owner, ...e }) => ({ ...e, sessionId: owner }));
}

/**
 * The JPEG blobs of a folder of "<owner>/<id>.jpg" and "<id>.thumb.jpg" (photos/, pictures/): each
 * with its storage key "<owner>/<id>" (null for a name that is not ours), owner, size and age.
 */
async function listImageBlobs(
  folder: string,
): Promise<{ key: string; storageKey: string | null; owner: string; size: number; mtimeMs: number }[]> {
  return (await listAll(folder)).map((e) => {
    const [, owner = '', name = ''] = e.key.split('/');
    const m = /^([0-9a-f-]{36})(\.thumb)?\.jpg$/.exec(name);
    return {
      key: e.key,
      storageKey: m ? `${owner}/${m[1]}` : null,
      owner,
      size: e.bytes,
      mtimeMs: e.lastModified.getTime(),
    };
  });
}

/** Removes one blob found by a listing (the orphan sweep). Never throws. */
export async function removeListedBlob(key: string): Promise<void> {
  await blobStore()
    .delete(key)
    .catch((err) => console.error(`[storage] could not remove ${key}:`, (err as Error).message));
}

// ---------------------------------------------------------------------------------------------
// Event frames: frames/<event_id>/<uuid>.png. A frame key is "<event_id>/<uuid>": a replaced
// frame gets a new blob (so nothing that still reads the old one sees it change), and the old
// one is removed once the event points at the new one.

export function framesDir(): string {
  return path.join(getConfig().dataDir, 'frames');
}

/** Writes a frame PNG durably and returns its new frame key. */
export async function storeFrameFile(eventId: string, png: Buffer): Promise<string> {
  const key = `${eventId}/${randomUUID()}`;
  await putAll([[frameBlobKey(key), png]], 'image/png');
  return key;
}

/** A frame's PNG bytes (compose). Rejects when it is missing. */
export function readFrameBuffer(frameKey: string): Promise<Buffer> {
  return readAll(frameBlobKey(frameKey));
}

/** Whether the frame's blob is there (false also when the store cannot say). */
export async function frameExists(frameKey: string): Promise<boolean> {
  return (
    (await blobStore()
      .stat(frameBlobKey(frameKey))
      .catch(() => null)) !== null
  );
}

/** Removes one frame (a replaced or removed frame). */
export async function removeFrameFile(frameKey: string): Promise<void> {
  await removeAll([frameBlobKey(frameKey)]);
}

/** Every frame blob with its frame key (null for a name that is not ours), size and age. */
export async function listFrameFiles(): Promise<
  { key: string; frameKey: string | null; size: number; mtimeMs: number }[]
> {
  return (await listAll('frames/')).map((e) => {
    const [, eventId = '', name = ''] = e.key.split('/');
    const m = /^([0-9a-f-]{36})\.png$/.exec(name);
    return {
      key: e.key,
      frameKey: m ? `${eventId}/${m[1]}` : null,
      size: e.bytes,
      mtimeMs: e.lastModified.getTime(),
    };
  });
}

/** Removes every frame of an event (the event is deleted). */
export async function removeEventFrames(eventId: string): Promise<void> {
  await removeFolder(`frames/${eventId}/`);
}

// ---------------------------------------------------------------------------------------------
// Pictures (lib/pictures.ts): a finished picture's own blobs, apart from the session's, so the
// session's sweep or deletion leaves them: pictures/<event_id>/<file_id>.jpg (and .thumb.jpg); a
// picture storage key is "<event_id>/<file_id>".

export function picturesDir(): string {
  return path.join(getConfig().dataDir, 'pictures');
}

/**
 * Writes a picture's blobs durably, before the row that points at them is committed. Returns a
 * function that removes them again.
 */
export async function storePictureFiles(
  storageKey: string,
  full: Buffer,
  thumb: Buffer,
): Promise<() => Promise<void>> {
  await putAll(
    [
      [pictureBlobKey(storageKey, 'thumb'), thumb],
      [pictureBlobKey(storageKey, 'full'), full],
    ],
    'image/jpeg',
  );
  return async () => {
    await removePictureFiles(storageKey);
  };
}

/** A picture's variant (optionally a byte range of it) as a stream; null when it is not stored. */
export function openPicture(
  storageKey: string,
  variant: Variant,
  range?: ByteRange,
): Promise<BlobBody | null> {
  return blobStore().get(pictureBlobKey(storageKey, variant), { range });
}

export async function removePictureFiles(storageKey: string): Promise<number> {
  return removeAll([pictureBlobKey(storageKey, 'full'), pictureBlobKey(storageKey, 'thumb')]);
}

/**
 * Removes an event's pictures (the event was deleted). Never throws: the rows are gone already,
 * and whatever stays is the orphan sweep's (picture blobs no row points to).
 */
export async function removeEventPictures(eventId: string): Promise<void> {
  await removeFolder(`pictures/${eventId}/`);
}

/** Every picture blob with its storage key (null for a name that is not ours), size and age. */
export async function listPictureFiles(): Promise<
  { key: string; storageKey: string | null; size: number; mtimeMs: number }[]
> {
  return (await listImageBlobs('pictures/')).map(({ owner: _event, ...e }) => e);
}
