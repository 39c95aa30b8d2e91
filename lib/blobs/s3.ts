import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Config } from '../config';
import { isStorageError, storageError } from '../storage';
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

/** Streams and files above this go up in parts (multipart upload); below it, one PUT. */
const PART_BYTES = 8 * 1024 * 1024;
/** Deletes at once when a prefix goes (one request each: Swift's multi-delete wants Content-MD5). */
const DELETE_CONCURRENCY = 8;

/**
 * Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph, OpenStack Swift's s3api) under
 * `prefix`. The bucket stays private: every request is signed; nothing here makes a public URL.
 */
export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;

  constructor(config: S3Config) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      // The SDK's default CRC32 checksums (aws-chunked trailers) are not understood by every
      // S3-compatible server (Swift 2.30 refuses aws-chunked): only where an operation requires one.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    });
  }

  private objectKey(key: string): string {
    assertBlobKey(key);
    return `${this.prefix}${key}`;
  }

  async put(key: string, source: BlobSource, opts: { contentType: string }): Promise<{ bytes: number }> {
    const Key = this.objectKey(key);
    if (Buffer.isBuffer(source)) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key,
            Body: source,
            ContentLength: source.length,
            ContentType: opts.contentType,
          }),
        );
      } catch (err) {
        throw toStorageError(err);
      }
      return { bytes: source.length };
    }
    const input = typeof source === 'string' ? fs.createReadStream(source) : source;
    let sourceFailed: unknown;
    input.once('error', (err: Error) => (sourceFailed ??= err));
    let bytes = 0;
    const counted = input.pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      }),
    );
    input.once('error', (err: Error) => counted.destroy(err));
    // Parts are buffered (queueSize × partSize in memory at most); a failed multipart upload is
    // aborted, so nothing is left under the key or as stray parts.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: counted, ContentType: opts.contentType },
      partSize: PART_BYTES,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      if (sourceFailed) throw sourceFailed;
      throw toStorageError(err);
    }
    if (sourceFailed) {
      // The body ended early but the store accepted what came: do not keep a truncated blob.
      await this.delete(key).catch(() => {});
      throw sourceFailed;
    }
    return { bytes };
  }

  async get(key: string, opts: { range?: ByteRange } = {}): Promise<BlobBody | null> {
    const Key = this.objectKey(key);
    const range = opts.range;
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key,
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
      const bytes = res.ContentLength ?? 0;
      const total = res.ContentRange ? Number(res.ContentRange.split('/')[1]) : bytes;
      return {
        body: res.Body as Readable,
        bytes,
        totalBytes: Number.isFinite(total) ? total : bytes,
        etag: unquote(res.ETag),
        contentType: res.ContentType,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      if (range && statusOf(err) === 416) {
        const st = await this.stat(key);
        if (!st) return null;
        return {
          body: Readable.from([]),
          bytes: 0,
          totalBytes: st.bytes,
          etag: st.etag,
          contentType: st.contentType,
        };
      }
      throw toStorageError(err);
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const res = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return {
        bytes: res.ContentLength ?? 0,
        lastModified: res.LastModified ?? new Date(0),
        etag: unquote(res.ETag),
        contentType: res.ContentType,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toStorageError(err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw toStorageError(err);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertBlobPrefix(prefix);
    let removed = 0;
    let batch: string[] = [];
    const flush = async () => {
      const keys = batch;
      batch = [];
      for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY) {
        await Promise.all(keys.slice(i, i + DELETE_CONCURRENCY).map((k) => this.delete(k)));
      }
      removed += keys.length;
    };
    for await (const entry of this.list(prefix)) {
      batch.push(entry.key);
      if (batch.length >= 100) await flush();
    }
    await flush();
    return removed;
  }

  async *list(prefix: string): AsyncIterable<BlobListEntry> {
    assertBlobPrefix(prefix);
    let token: string | undefined;
    do {
      let res: ListObjectsV2CommandOutput;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${this.prefix}${prefix}`,
            ContinuationToken: token,
          }),
        );
      } catch (err) {
        throw toStorageError(err);
      }
      for (const o of res.Contents ?? []) {
        if (!o.Key?.startsWith(this.prefix)) continue;
        yield {
          key: o.Key.slice(this.prefix.length),
          bytes: o.Size ?? 0,
          lastModified: o.LastModified ?? new Date(0),
        };
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(err) === 404 && name !== 'NoSuchBucket');
}

/**
 * A failure of the store, which the guest cannot fix: the bucket refuses (5xx, a missing bucket,
 * bad credentials) or cannot be reached. The answer is 507 storage_unavailable, never a bare 500.
 */
export function isS3StorageError(err: unknown): boolean {
  if (err instanceof S3ServiceException) return true;
  if (statusOf(err) !== undefined) return true;
  const e = err as { name?: string; code?: string } | undefined;
  return (
    isStorageError(err) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(
      e?.code ?? '',
    ) ||
    ['TimeoutError', 'RequestTimeout', 'AbortError'].includes(e?.name ?? '')
  );
}

function toStorageError(err: unknown): unknown {
  return isS3StorageError(err) ? storageError(err) : err;
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}
