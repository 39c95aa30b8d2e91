import type { Readable } from 'node:stream';

/**
 * Where bytes live (photos, thumbnails, pictures, frames): a key-value store of immutable blobs,
 * on disk in DATA_DIR (DiskBlobStore, the embedded default) or in an S3-compatible bucket
 * (S3BlobStore, with S3_BUCKET). Keys are relative paths such as "photos/<session>/<photo>.jpg":
 * segments of letters, digits, `.`, `_` and `-`, separated by `/`.
 *
 * Every failure of the store itself (a full or read-only disk, an unreachable or refusing bucket)
 * rejects with the ApiError `storage_unavailable` (507); a missing key is `null`, never an error.
 */

/** A file path (read from disk), the bytes themselves, or a stream (e.g. an upload being received). */
export type BlobSource = string | Buffer | Readable;

/** Inclusive byte offsets, as in an HTTP Range header; `end` defaults to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface BlobBody {
  body: Readable;
  /** Bytes in `body` (the range's length for a range request). */
  bytes: number;
  /** The whole blob's size. */
  totalBytes: number;
  etag?: string;
  contentType?: string;
}

export interface BlobStat {
  bytes: number;
  lastModified: Date;
  etag?: string;
  contentType?: string;
}

export interface BlobListEntry {
  key: string;
  bytes: number;
  lastModified: Date;
}

export interface BlobStore {
  /** Stores the blob (replacing any under that key). Durable when it resolves; on failure nothing is left. */
  put(key: string, source: BlobSource, opts: { contentType: string }): Promise<{ bytes: number }>;
  /**
   * The blob's bytes, or null when there is none. A range past the end gives an empty body;
   * callers that answer HTTP ranges check them against `stat` first.
   */
  get(key: string, opts?: { range?: ByteRange }): Promise<BlobBody | null>;
  stat(key: string): Promise<BlobStat | null>;
  /** Removes the blob; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every blob whose key starts with `prefix` (e.g. "photos/<session>/"); resolves to how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Every blob whose key starts with `prefix`, in key order (for the orphan sweep). */
  list(prefix: string): AsyncIterable<BlobListEntry>;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Refuses a key that could leave its namespace (`..`, absolute, empty segments, odd characters). */
export function assertBlobKey(key: string): void {
  const parts = key.split('/');
  if (key.length === 0 || key.length > 512 || !parts.every((p) => SEGMENT.test(p) && p !== '..')) {
    throw new TypeError(`not a blob key: ${JSON.stringify(key)}`);
  }
}

/** A list or delete prefix: a key, a key's beginning, or a folder ending in '/'. */
export function assertBlobPrefix(prefix: string): void {
  if (prefix.length === 0) throw new TypeError('a blob prefix must not be empty');
  assertBlobKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}
