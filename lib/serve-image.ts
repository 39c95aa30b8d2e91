import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { PhotoRow } from '@/db/schema';
import { ApiError } from './errors';
import { filePath, type Variant } from './storage';

/**
 * Sends a stored image: streamed from disk, strong ETag (the content hash), 304 on a match.
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
): Response {
  return storedImageResponse(
    request,
    {
      file: filePath(photo.storageKey, opts.variant),
      etag: etagOf(photo, opts.variant),
      contentType: photo.contentType,
      filename: photoFilename(photo, opts.variant),
    },
    opts,
  );
}

export interface StoredImage {
  file: string;
  /** Strong ETag, quoted. */
  etag: string;
  contentType: string;
  filename: string;
}

/** Sends any stored image file (a photo, a picture) with the caching rules above. */
export function storedImageResponse(
  request: Request,
  image: StoredImage,
  opts: { download?: boolean; immutable: boolean; missing?: () => ApiError },
): Response {
  const { etag } = image;
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': opts.immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (ifNoneMatch(request, etag)) return new Response(null, { status: 304, headers });
  // Opened now, in the same synchronous step as the row was read: a delete, sweep or replaced
  // result that removes the file afterwards cannot cut off an answer already promised (200 and its
  // Content-Length); the open descriptor keeps the bytes readable until they are sent.
  let fd: number;
  let size: number;
  try {
    fd = fs.openSync(image.file, 'r');
  } catch (err) {
    // Out of descriptors and the like: 507 (lib/http.ts), not "missing".
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    throw opts.missing?.() ?? new ApiError('photo_not_found', 'The image file is missing.');
  }
  try {
    size = fs.fstatSync(fd).size;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  let body: ReadableStream<Uint8Array> | null = null;
  if (request.method === 'HEAD') fs.closeSync(fd);
  else body = Readable.toWeb(fs.createReadStream('', { fd, autoClose: true })) as ReadableStream<Uint8Array>;
  return new Response(body, {
    status: 200,
    headers: {
      ...headers,
      'Content-Type': image.contentType,
      'Content-Length': String(size),
      'Content-Disposition': `${opts.download ? 'attachment' : 'inline'}; filename="${image.filename}"`,
    },
  });
}
