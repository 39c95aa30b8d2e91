import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { z } from 'zod';
import { getConfig } from './config';
import { ApiError } from './errors';
import { parseJsonText, readBodyLimited } from './http';
import { meteredBody } from './limits';
import { ensureDirs, isStorageError, storageError, tmpPath } from './storage';

/**
 * Reading one photo from a request, in either of the API's two forms:
 * - multipart/form-data, field `photo`: streamed by busboy straight to a temporary file, never
 *   held in memory, cut off at MAX_UPLOAD_MB;
 * - JSON {"photo_data": "<base64 or data: URL>", "telegram_file_id"?}: bounded to the same size.
 */

export interface PhotoBody {
  input: Buffer | string;
  telegramFileId?: string;
  /** Removes the temporary file, if any. Always call it. */
  cleanup: () => Promise<void>;
}

/** The one 'too large' answer of every way a photo comes in (web and Telegram). */
export function tooLarge(): ApiError {
  const mb = Math.round(getConfig().maxUploadBytes / (1024 * 1024));
  return new ApiError('photo_too_large', `The photo is larger than ${mb} MB.`);
}

const jsonPhotoSchema = z.object({
  photo_data: z.string({ error: 'photo_data must be a base64 string or a data: URL' }),
  telegram_file_id: z.string().max(256).optional().nullable(),
});

const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function decodePhotoData(value: string): Buffer {
  let b64 = value.trim();
  const m = /^data:([^;,]*)(;[^,]*)?,/.exec(b64);
  if (m) {
    if (!m[2]?.includes('base64'))
      throw new ApiError('invalid_request', 'photo_data data: URLs must be base64-encoded.');
    b64 = b64.slice(m[0].length);
  }
  b64 = b64.replace(/\s+/g, '');
  if (!BASE64_RE.test(b64)) throw new ApiError('invalid_request', 'photo_data is not valid base64.');
  if (b64.length === 0) throw new ApiError('missing_photo', 'photo_data is empty.');
  return Buffer.from(b64, 'base64');
}

async function readJsonPhoto(request: Request): Promise<PhotoBody> {
  const { maxUploadBytes } = getConfig();
  // base64 is 4/3 of the bytes; allow a little for the JSON around it.
  const raw = await readBodyLimited(
    request,
    Math.ceil((maxUploadBytes * 4) / 3) + 64 * 1024,
    tooLarge,
    meteredBody(request),
  );
  const parsed = parseJsonText(raw);
  if (typeof parsed === 'object' && parsed !== null && !('photo_data' in parsed)) {
    throw new ApiError('missing_photo', 'Send the image as "photo_data" (base64 or a data: URL).');
  }
  const body = jsonPhotoSchema.parse(parsed);
  const input = decodePhotoData(body.photo_data);
  if (input.length > maxUploadBytes) throw tooLarge();
  return { input, telegramFileId: body.telegram_file_id ?? undefined, cleanup: async () => {} };
}

async function readMultipartPhoto(request: Request, contentType: string): Promise<PhotoBody> {
  const { maxUploadBytes } = getConfig();
  const declared = Number(request.headers.get('content-length'));
  // Multipart adds boundaries and headers around the file; 64 KiB is far more than they take.
  if (Number.isFinite(declared) && declared > maxUploadBytes + 64 * 1024) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!request.body)
    throw new ApiError('missing_photo', 'The request has no body; send the image in the "photo" field.');

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { fileSize: maxUploadBytes, files: 1, fields: 8, fieldSize: 1024, parts: 10, headerPairs: 20 },
    });
  } catch {
    throw new ApiError('invalid_request', 'The multipart body is malformed (missing boundary?).');
  }

  const tmp = tmpPath('.upload');
  let gotFile = false;
  let truncated = false;
  let telegramFileId: string | undefined;
  let fileDone: Promise<void> = Promise.resolve();
  // Best effort: when the disk is gone, the temporary file went with it.
  const cleanup = () => fsp.rm(tmp, { force: true }).catch(() => {});

  parser.on('file', (name, stream) => {
    if (name !== 'photo' || gotFile) {
      stream.resume();
      return;
    }
    gotFile = true;
    stream.on('limit', () => {
      truncated = true;
    });
    // A throw here would escape busboy as an uncaught error and take the process down: the
    // disk error (e.g. the temporary folder is gone) becomes fileDone's rejection instead.
    fileDone = new Promise<void>((resolve) => {
      ensureDirs();
      resolve();
    }).then(() => pipeline(stream, fs.createWriteStream(tmp, { mode: 0o600 })));
    // Errors surface when fileDone is awaited; meanwhile drain the part so the form can finish.
    fileDone.catch(() => stream.resume());
  });
  parser.on('field', (name, value) => {
    if (name === 'telegram_file_id') telegramFileId = value.slice(0, 256);
  });

  // Cut with 408 when slower than the minimum upload rate (lib/limits.ts).
  const body = meteredBody(request) ?? request.body;
  const source = Readable.fromWeb(body as unknown as NodeWebReadableStream<Uint8Array>);
  try {
    await pipeline(source, parser);
    await fileDone;
  } catch (err) {
    await cleanup();
    source.destroy();
    if (truncated) throw tooLarge();
    if (isStorageError(err)) throw storageError(err);
    if (err instanceof ApiError) throw err;
    throw new ApiError('invalid_request', `The multipart body could not be read: ${(err as Error).message}`);
  }
  if (truncated) {
    await cleanup();
    throw tooLarge();
  }
  if (!gotFile) {
    await cleanup();
    throw new ApiError('missing_photo', 'No file in the "photo" field of the form.');
  }
  try {
    // Still there? The disk may have gone away while the body came in (else the decoder
    // would report an unreadable image, not the disk).
    await fsp.stat(tmp);
  } catch (err) {
    await cleanup();
    throw isStorageError(err) ? storageError(err) : err;
  }
  return { input: tmp, telegramFileId, cleanup };
}

export async function readPhotoBody(request: Request): Promise<PhotoBody> {
  const contentType = request.headers.get('content-type') ?? '';
  const mime = contentType.split(';')[0]?.trim().toLowerCase();
  if (mime === 'multipart/form-data') return readMultipartPhoto(request, contentType);
  if (mime === 'application/json') return readJsonPhoto(request);
  await request.body?.cancel().catch(() => {});
  throw new ApiError(
    'unsupported_media_type',
    'Send the photo as multipart/form-data (field "photo") or as JSON {"photo_data": "<base64>"}.',
  );
}
