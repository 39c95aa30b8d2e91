import { Readable } from 'node:stream';
import type { PhotoRow } from '@/db/schema';
import type { BlobBody } from './blobs';
import { ApiError } from './errors';
import { openPhoto, type Variant } from './storage';

/**
 * Sends a stored image: streamed from the blob store (lib/storage.ts), strong ETag (the content hash), 304 on a match.
 * Photos never change under their id (immutable, cached for a year, private: the link is a
 * capability); the result of a session can be replaced, so it is revalidated every time.
 */
export function photoFilename(photo: PhotoRow, variant: Variant): string {
  const d = photo.createdAt.toISOString().replace(/[-:]/g, '').slice(0, 13).replace('T', '-');
  const kind = photo.photoType === 'result' ? 'picture' : 'photo';
  return `photobooth-${kind}-${d}-${photo.id.slice(0, 8)}${variant === 'thumb' ? '-thumb' : ''}.jpg`;
}

export function etagOf(photo: PhotoRow, variant: Variant): string {
  return `"${photo.sha256.slice(0, 32)}${variant === 'thumb' ? '-t' : ''}"`;
}

export function ifNoneMatch(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match');
  if (!header) return false;
  return header === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function imageResponse(
  request: Request,
  photo: PhotoRow,
  opts: { variant: Variant; download?: boolean; immutable: boolean },
): Promise<Response> {
  return storedImageResponse(
    request,
    {
      open: () => openPhoto(photo.storageKey, opts.variant),
      etag: etagOf(photo, opts.variant),
      contentType: photo.contentType,
      filename: photoFilename(photo, opts.variant),
    },
    opts,
  );
}

export interface StoredImage {
  /** Opens the image's bytes in the blob store (lib/storage.ts openPhoto, openPicture); null when missing. */
  open: () => Promise<BlobBody | null>;
  /** Strong ETag, quoted. */
  etag: string;
  contentType: string;
  filename: string;
}

/** Sends any stored image (a photo, a picture) with the caching rules above, streamed from the store. */
export async function storedImageResponse(
  request: Request,
  image: StoredImage,
  opts: { download?: boolean; immutable: boolean; missing?: () => ApiError },
): Promise<Response> {
  const { etag } = image;
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': opts.immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (ifNoneMatch(request, etag)) return new Response(null, { status: 304, headers });
  // Opened before the answer is promised: a delete, sweep or replaced result that removes the blob
  // afterwards cannot cut off a 200 and its Content-Length (an open file, or an S3 GET under way,
  // keeps the bytes readable until they are sent). A store that fails is 507 (its ApiError).
  const blob = await image.open();
  if (!blob) throw opts.missing?.() ?? new ApiError('photo_not_found', 'The image file is missing.');
  let body: ReadableStream<Uint8Array> | null = null;
  if (request.method === 'HEAD') blob.body.destroy();
  else body = Readable.toWeb(blob.body) as ReadableStream<Uint8Array>;
  return new Response(body, {
    status: 200,
    headers: {
      ...headers,
      'Content-Type': image.contentType,
      'Content-Length': String(blob.bytes),
      'Content-Disposition': `${opts.download ? 'attachment' : 'inline'}; filename="${image.filename}"`,
    },
  });
}
