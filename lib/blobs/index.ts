import { getConfig } from '../config';
import { DiskBlobStore } from './disk';
import { S3BlobStore } from './s3';
import type { BlobStore } from './types';

export { DiskBlobStore } from './disk';
export { isS3StorageError, S3BlobStore } from './s3';
export * from './types';

/**
 * Per module instance, not on globalThis: Next bundles each route with its own copy of lib/, and a
 * store made by one copy would throw another copy's ApiError (not `instanceof` this one's: a 500).
 */
let made: { store: BlobStore; config: object } | undefined;

/**
 * The blob store (one per copy of this module), made on first use: the S3 bucket when S3_BUCKET is set, else
 * files in DATA_DIR (keys map onto today's layout: "photos/<session>/<photo>.jpg" is
 * DATA_DIR/photos/<session>/<photo>.jpg), with temporary files in DATA_DIR/tmp for the sweep.
 * Made again when the configuration is read again (tests point DATA_DIR elsewhere).
 */
export function blobStore(): BlobStore {
  const config = getConfig();
  if (made?.config === config) return made.store;
  if (made?.store instanceof S3BlobStore) made.store.client.destroy();
  const store = config.s3
    ? new S3BlobStore(config.s3)
    : new DiskBlobStore({ root: config.dataDir, tmpDir: config.tmpDir });
  made = { store, config };
  return store;
}

/** Tests only: forget the store so the next blobStore() reads the configuration again. */
export function resetBlobStoreForTests(): void {
  made = undefined;
}
