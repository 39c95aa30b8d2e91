import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fsyncDir, isStorageError, storageError, tmpPath, writeDurable } from '../storage';
import {
  assertBlobKey,
  assertBlobPrefix,
  type BlobBody,
  type BlobListEntry,
  type BlobSource,
  type BlobStat,
  type BlobStore,
  type ByteRange,
} from './types';

/**
 * Blobs as files under `root` (the key is the relative path), written as lib/storage.ts writes
 * photos: to a temporary file in `tmpDir` (same file system, named so the start-up sweep knows
 * it), fsynced, renamed into place, the folder fsynced; a new folder is made durable in its parent.
 */
export class DiskBlobStore implements BlobStore {
  readonly root: string;
  readonly tmpDir: string;

  constructor(opts: { root: string; tmpDir: string }) {
    this.root = path.resolve(opts.root);
    this.tmpDir = path.resolve(opts.tmpDir);
  }

  private file(key: string): string {
    assertBlobKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, source: BlobSource, _opts: { contentType: string }): Promise<{ bytes: number }> {
    const final = this.file(key);
    const tmp = tmpPath(path.extname(key) || '.blob', this.tmpDir);
    const input = typeof source === 'string' ? fs.createReadStream(source) : source;
    let sourceFailed: unknown;
    if (input instanceof Readable) input.once('error', (err: Error) => (sourceFailed ??= err));
    try {
      await fsp.mkdir(this.tmpDir, { recursive: true });
      await this.mkdirDurable(path.dirname(final));
      const bytes = await writeDurable(tmp, input);
      await fsp.rename(tmp, final);
      await fsyncDir(path.dirname(final));
      return { bytes };
    } catch (err) {
      await fsp.rm(tmp, { force: true }).catch(() => {});
      // The source's own failure (a guest's upload cut off, a file path that is not there) is not the store's.
      if (sourceFailed === err) throw err;
      throw isStorageError(err) ? storageError(err) : err;
    }
  }

  /** mkdir -p, fsyncing the parent of each folder it creates (so a power cut cannot lose it whole). */
  private async mkdirDurable(dir: string): Promise<void> {
    const first = await fsp.mkdir(dir, { recursive: true });
    if (!first) return;
    for (let d = dir; d.length >= first.length; d = path.dirname(d)) await fsyncDir(path.dirname(d));
  }

  async get(key: string, opts: { range?: ByteRange } = {}): Promise<BlobBody | null> {
    const file = this.file(key);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw isStorageError(err) ? storageError(err) : err;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) {
        await fh.close();
        return null;
      }
      const total = st.size;
      const start = opts.range?.start ?? 0;
      const end = Math.min(opts.range?.end ?? total - 1, total - 1);
      const bytes = Math.max(0, end - start + 1);
      if (bytes === 0) {
        await fh.close();
        return { body: Readable.from([]), bytes, totalBytes: total };
      }
      return { body: fh.createReadStream({ start, end, autoClose: true }), bytes, totalBytes: total };
    } catch (err) {
      await fh.close().catch(() => {});
      throw isStorageError(err) ? storageError(err) : err;
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const st = await fsp.stat(this.file(key));
      return st.isFile() ? { bytes: st.size, lastModified: st.mtime } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw isStorageError(err) ? storageError(err) : err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await fsp.rm(this.file(key), { force: true });
    } catch (err) {
      throw isStorageError(err) ? storageError(err) : err;
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertBlobPrefix(prefix);
    let removed = 0;
    for await (const entry of this.list(prefix)) {
      await this.delete(entry.key);
      removed++;
    }
    // A folder prefix ("photos/<session>/") takes its folder with it, as removeSessionDir did.
    if (prefix.endsWith('/')) {
      await fsp.rm(path.join(this.root, prefix), { recursive: true, force: true }).catch((err) => {
        throw isStorageError(err) ? storageError(err) : err;
      });
    }
    return removed;
  }

  async *list(prefix: string): AsyncIterable<BlobListEntry> {
    assertBlobPrefix(prefix);
    // Walk from the deepest folder the prefix names; entries sorted as their keys sort (a
    // folder as "name/"), so the order is the key order S3 lists in.
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    yield* this.walk(base, prefix);
  }

  private async *walk(relDir: string, prefix: string): AsyncGenerator<BlobListEntry> {
    const dir = path.join(this.root, relDir);
    if (path.resolve(dir) === this.tmpDir) return;
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw isStorageError(err) ? storageError(err) : err;
    }
    const named = entries
      .filter((e) => e.isFile() || e.isDirectory())
      .map((e) => ({ e, key: `${relDir}${e.name}${e.isDirectory() ? '/' : ''}` }))
      .filter(({ key }) => key.startsWith(prefix) || prefix.startsWith(key))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { e, key } of named) {
      if (e.isDirectory()) {
        yield* this.walk(key, prefix);
        continue;
      }
      if (!key.startsWith(prefix)) continue;
      try {
        const st = await fsp.stat(path.join(this.root, key));
        yield { key, bytes: st.size, lastModified: st.mtime };
      } catch {
        // raced with a delete
      }
    }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
