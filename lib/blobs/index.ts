import { getConfig } from '../config';
import { DiskBlobStore } from './disk';
import { S3BlobStore } from './s3';
import type { BlobStore } from './types';

export { DiskBlobStore } from './disk';
export { isS3StorageError, S3BlobStore } from './s3';
export * from './types';

const g = globalThis as unknown as { __pbBlobStore?: BlobStore };

/**
 * The process's one blob store, made on first use: the S3 bucket when S3_BUCKET is set, else
 * files in DATA_DIR (keys map onto today's layout: "photos/<session>/<photo>.jpg" is
 * DATA_DIR/photos/<session>/<photo>.jpg), with temporary files in DATA_DIR/tmp for the sweep.
 */
export function blobStore(): BlobStore {
  if (!g.__pbBlobStore) {
    const config = getConfig();
    g.__pbBlobStore = config.s3
      ? new S3BlobStore(config.s3)
      : new DiskBlobStore({ root: config.dataDir, tmpDir: config.tmpDir });
  }
  return g.__pbBlobStore;
}

/** Tests only: forget the store so the next blobStore() reads the configuration again. */
export function resetBlobStoreForTests(): void {
  g.__pbBlobStore = undefined;
}
