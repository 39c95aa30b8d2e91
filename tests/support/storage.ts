import fs from 'node:fs';
import path from 'node:path';
import { type BlobStore, blobStore, DiskBlobStore, S3BlobStore } from '@/lib/blobs';
import { parseConfig } from '@/lib/config';
import { ADMIN_TOKEN, BOOTH_TOKEN } from './env';
import { hostedEnv, isHosted, testDatabaseName } from './mode';

/**
 * What tests check about stored bytes, in either mode: through the blob store (lib/blobs) instead
 * of DATA_DIR's folders. Keys are the store's ("photos/<session>/<photo>.jpg", "pictures/…",
 * "frames/…"); embedded they are those very paths under DATA_DIR, hosted the objects under the
 * file's S3_PREFIX. In-process tests (useTestEnv) use the app's own store; server tests pass the
 * data directory they started the server on (`storeFor(dataDir)`).
 */

/** The blob store of a server started on `dataDir` by startServer() (hosted: its bucket prefix). */
export function storeFor(dataDir: string): BlobStore {
  if (!isHosted()) return new DiskBlobStore({ root: dataDir, tmpDir: path.join(dataDir, 'tmp') });
  const url = `postgres://x/${testDatabaseName(dataDir)}`;
  // (Tokens are required with DATABASE_URL; only the S3 part of this configuration is used.)
  const s3 = parseConfig({ ...hostedEnv(url), BOOTH_TOKEN, ADMIN_TOKEN }).s3;
  if (!s3) throw new Error('hosted env without S3_BUCKET');
  return new S3BlobStore(s3);
}

const storeOf = (where?: string | BlobStore): BlobStore =>
  where === undefined ? blobStore() : typeof where === 'string' ? storeFor(where) : where;

/**
 * Every stored key under `prefix` (e.g. `photos/${sessionId}/`), sorted. `where`: a server's data
 * directory, or a store; default the app's own (in-process tests).
 */
export async function storedBlobKeys(prefix: string, where?: string | BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of storeOf(where).list(prefix)) keys.push(entry.key);
  return keys.sort();
}

/** The names right under a folder prefix ("photos/<session>/" → ["<photo>.jpg", …]), as readdir gave. */
export async function storedBlobNames(folder: string, where?: string | BlobStore): Promise<string[]> {
  const base = folder.endsWith('/') ? folder : `${folder}/`;
  const names = new Set<string>();
  for (const key of await storedBlobKeys(base, where))
    names.add(key.slice(base.length).split('/')[0] as string);
  return [...names].sort();
}

/** The blob's bytes, or null when there is none. */
export async function readStoredBlob(key: string, where?: string | BlobStore): Promise<Buffer | null> {
  const got = await storeOf(where).get(key);
  if (!got) return null;
  const chunks: Buffer[] = [];
  for await (const c of got.body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export async function blobExists(key: string, where?: string | BlobStore): Promise<boolean> {
  return (await storeOf(where).stat(key)) !== null;
}

/** The stored size of each key under `prefix`, summed. */
export async function storedBytes(prefix: string, where?: string | BlobStore): Promise<number> {
  let total = 0;
  for await (const entry of storeOf(where).list(prefix)) total += entry.bytes;
  return total;
}

/**
 * The temporary files (relative paths) a server on `dataDir` left in DATA_DIR/tmp: in hosted mode
 * those of both instances (instance b's DATA_DIR is `${dataDir}-b`). Mode-neutral for in-process
 * tests too (their DATA_DIR holds the temporary files in both modes).
 */
export function tmpFiles(dataDir: string): string[] {
  const dirs = [path.join(dataDir, 'tmp')];
  if (isHosted()) dirs.push(path.join(`${dataDir.replace(/\/+$/, '')}-b`, 'tmp'));
  const out: string[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
    }
  }
  return out.sort();
}

/**
 * Nothing stored under the folder prefix ("photos/<session>/"); embedded, the folder itself is
 * gone too (as a session's delete removes its directory).
 */
export async function blobFolderGone(folder: string, where?: string | BlobStore): Promise<boolean> {
  const store = storeOf(where);
  const base = folder.endsWith('/') ? folder : `${folder}/`;
  if (store instanceof DiskBlobStore && fs.existsSync(path.join(store.root, base))) return false;
  return (await storedBlobKeys(base, store)).length === 0;
}

/** Removes one stored blob behind the app's back (a test of bytes lost from the store). */
export async function removeStoredBlob(key: string, where?: string | BlobStore): Promise<void> {
  await storeOf(where).delete(key);
}
