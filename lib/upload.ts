import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { getConfig } from './config';
import { ApiError } from './errors';
import { streamJsonPhoto } from './json-photo';
import { meteredBody } from './limits';
import { ensureDirs, isStorageError, storageError, tmpPath } from './storage';

/**
 * Reading one photo from a request, in either of the API's two forms:
 * - multipart/form-data, field `photo`: streamed by busboy straight to a temporary file, never
 *   held in memory, cut off at MAX_UPLOAD_MB;
 * - JSON {"photo_data": "<base64 or data: URL>", "telegram_file_id"?}: tokenized as it arrives and
 *   decoded piece by piece into a temporary file (lib/json-photo.ts), bounded to the same size.
 */

export interface PhotoBody {
  input: Buffer | string;
  telegramFileId?: string;
  /**
   * The form said the event's consent text was accepted: multipart field `consent` = `yes`
   * (anywhere in the form), or `"consent": true` in the JSON body.
   */
  consent: boolean;
  /** Removes the temporary file, if any. Always call it. */
  cleanup: () => Promise<void>;
}

/** The one 'too large' answer of every way a photo comes in (web and Telegram). */
export function tooLarge(): ApiError {
  const mb = Math.round(getConfig().maxUploadBytes / (1024 * 1024));
  return new ApiError('photo_too_large', `The photo is larger than ${mb} MB.`);
}

async function readJsonPhoto(request: Request): Promise<PhotoBody> {
  const { maxUploadBytes } = getConfig();
  // base64 is 4/3 of the bytes; allow a little for the JSON around it.
  const maxBodyBytes = Math.ceil((maxUploadBytes * 4) / 3) + 64 * 1024;
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const tmp = tmpPath('.upload');
  const cleanup = () => fsp.rm(tmp, { force: true }).catch(() => {});
  try {
    ensureDirs();
    // Metered: a body slower than the minimum upload rate is cut (408, lib/limits.ts).
    const body = meteredBody(request) ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    const parsed = await streamJsonPhoto(body, tmp, { maxBodyBytes, maxFileBytes: maxUploadBytes, tooLarge });
    if (!parsed.gotPhoto) {
      throw new ApiError('missing_photo', 'Send the image as "photo_data" (base64 or a data: URL).');
    }
    return { input: tmp, telegramFileId: parsed.telegramFileId, consent: parsed.consent, cleanup };
  } catch (err) {
    await cleanup();
    await request.body?.cancel().catch(() => {});
    if (isStorageError(err)) throw storageError(err);
    throw err;
  }
}

interface FormFile {
  /** The form field that carries the file. */
  field: string;
  /** The answer when it is not there. */
  missing: () => ApiError;
}

const PHOTO_FIELD: FormFile = {
  field: 'photo',
  missing: () => new ApiError('missing_photo', 'No file in the "photo" field of the form.'),
};

async function readMultipartPhoto(
  request: Request,
  contentType: string,
  form: FormFile = PHOTO_FIELD,
): Promise<PhotoBody> {
  const { maxUploadBytes } = getConfig();
  const declared = Number(request.headers.get('content-length'));
  // Multipart adds boundaries and headers around the file; 64 KiB is far more than they take.
  if (Number.isFinite(declared) && declared > maxUploadBytes + 64 * 1024) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!request.body) throw form.missing();

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
  let consent = false;
  let fileDone: Promise<void> = Promise.resolve();
  // Best effort: when the disk is gone, the temporary file went with it.
  const cleanup = () => fsp.rm(tmp, { force: true }).catch(() => {});

  parser.on('file', (name, stream) => {
    if (name !== form.field || gotFile) {
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
    if (name === 'consent') consent = value.trim().toLowerCase() === 'yes';
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
    throw form.missing();
  }
  try {
    // Still there? The disk may have gone away while the body came in (else the decoder
    // would report an unreadable image, not the disk).
    await fsp.stat(tmp);
  } catch (err) {
    await cleanup();
    throw isStorageError(err) ? storageError(err) : err;
  }
  return { input: tmp, telegramFileId, consent, cleanup };
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

/**
 * Reads an event's frame: multipart/form-data, field `frame`, streamed to a temporary file with
 * the photos' size limit (413 photo_too_large). Any other body is 415.
 */
export async function readFrameBody(request: Request): Promise<PhotoBody> {
  const contentType = request.headers.get('content-type') ?? '';
  const mime = contentType.split(';')[0]?.trim().toLowerCase();
  if (mime === 'multipart/form-data') {
    return readMultipartPhoto(request, contentType, {
      field: 'frame',
      missing: () => new ApiError('missing_frame', 'No file in the "frame" field of the form.'),
    });
  }
  await request.body?.cancel().catch(() => {});
  throw new ApiError('unsupported_media_type', 'Send the frame as multipart/form-data, field "frame".');
}
