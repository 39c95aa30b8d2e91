import { once } from 'node:events';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import streamJson from 'stream-json/parser.js';
import { ApiError } from './errors';

/**
 * The JSON form of a photo upload, `{"photo_data": "<base64 or data: URL>", "telegram_file_id"?}`,
 * read as a stream: the body is tokenized as it arrives (stream-json), `photo_data` is decoded
 * from base64 piece by piece straight into a temporary file, and nothing larger than a chunk is
 * ever held. A hundred 33 MB JSON uploads at once cost what a hundred chunks cost, not 3 GB.
 */

type Token = { name: string; value?: unknown };

const MAX_FILE_ID = 256;
const MAX_DATA_URL_HEADER = 256;
const BASE64_CHARS = /[^A-Za-z0-9+/_=-]/;

/** Decodes base64 (standard or URL-safe, whitespace allowed, optional data: URL) incrementally. */
class Base64Decoder {
  private carry = '';
  private header: string | null = '';
  private padded = false;
  private sawAny = false;

  /** Takes the next piece of the string; returns the bytes it completes. */
  push(piece: string): Buffer {
    let text = piece;
    if (this.header !== null) {
      // The first characters decide: a data: URL header up to its comma, or plain base64.
      this.header += text;
      const h = this.header;
      if (h.length < 5 && 'data:'.startsWith(h)) return Buffer.alloc(0);
      if (h.startsWith('data:')) {
        const comma = h.indexOf(',');
        if (comma < 0) {
          if (h.length > MAX_DATA_URL_HEADER) throw notBase64();
          return Buffer.alloc(0);
        }
        const meta = h.slice(5, comma);
        if (!/;base64$/i.test(meta) && !/;base64;/i.test(meta)) {
          throw new ApiError('invalid_request', 'photo_data data: URLs must be base64-encoded.');
        }
        text = h.slice(comma + 1);
      } else {
        text = h;
      }
      this.header = null;
    }
    text = text.replace(/\s+/g, '');
    if (text === '') return Buffer.alloc(0);
    if (BASE64_CHARS.test(text)) throw notBase64();
    this.sawAny = true;
    const eq = text.indexOf('=');
    if (this.padded || eq >= 0) {
      // Padding ends the data: nothing but (at most two) '=' may follow.
      const tail = this.padded ? text : text.slice(eq);
      if (!/^=*$/.test(tail)) throw notBase64();
      if (!this.padded) {
        this.carry += text.slice(0, eq);
        this.padded = true;
      }
      return Buffer.alloc(0);
    }
    this.carry += text;
    const whole = this.carry.length - (this.carry.length % 4);
    const out = Buffer.from(this.carry.slice(0, whole), 'base64');
    this.carry = this.carry.slice(whole);
    return out;
  }

  end(): Buffer {
    if (this.header !== null && this.header !== '') {
      // A string shorter than "data:" that never became one: plain base64 after all.
      const pending = this.header;
      this.header = null;
      const rest = this.push(pending);
      return Buffer.concat([rest, this.finish()]);
    }
    return this.finish();
  }

  private finish(): Buffer {
    if (!this.sawAny) throw new ApiError('missing_photo', 'photo_data is empty.');
    if (this.carry.length % 4 === 1) throw notBase64();
    const out = Buffer.from(this.carry, 'base64');
    this.carry = '';
    return out;
  }
}

function notBase64(): ApiError {
  return new ApiError('invalid_request', 'photo_data is not valid base64.');
}

function notAString(): ApiError {
  return new ApiError('invalid_request', 'photo_data must be a base64 string or a data: URL');
}

export interface JsonPhoto {
  gotPhoto: boolean;
  telegramFileId?: string;
  /** `"consent": true` was in the body (the event's consent text was accepted). */
  consent: boolean;
}

/**
 * Streams a JSON photo body into `file`. `maxBodyBytes` bounds the raw body, `maxFileBytes` the
 * decoded image; `tooLarge` makes the 413 of either.
 */
export async function streamJsonPhoto(
  body: ReadableStream<Uint8Array>,
  file: string,
  limits: { maxBodyBytes: number; maxFileBytes: number; tooLarge: () => ApiError },
): Promise<JsonPhoto> {
  const out = fs.createWriteStream(file, { mode: 0o600 });
  let writeError: Error | undefined;
  // Kept, not thrown from an event: the next write (or the final flush) reports it.
  out.on('error', (err) => {
    writeError ??= err;
  });
  const outOpen = once(out, 'open');
  let rawBytes = 0;
  let fileBytes = 0;
  let depth = 0;
  let key: string | null = null;
  let topLevel = 'unknown' as 'unknown' | 'object' | 'other';
  let inPhoto = false;
  let gotPhoto = false;
  let decoder: Base64Decoder | null = null;
  let fileId: string | null | undefined;
  let fileIdText: string | null = null;
  let consent = false;

  const writeBytes = async (bytes: Buffer) => {
    if (bytes.length === 0) return;
    fileBytes += bytes.length;
    if (fileBytes > limits.maxFileBytes) throw limits.tooLarge();
    if (writeError) throw writeError;
    if (!out.write(bytes)) await once(out, 'drain');
  };

  const consume = async (t: Token) => {
    if (topLevel === 'unknown') topLevel = t.name === 'startObject' ? 'object' : 'other';
    if (topLevel === 'other') return;
    switch (t.name) {
      case 'startObject':
      case 'startArray':
        if (depth === 1 && key === 'photo_data') throw notAString();
        if (depth === 1 && key === 'telegram_file_id') throw invalidFileId();
        depth++;
        return;
      case 'endObject':
      case 'endArray':
        depth--;
        if (depth === 1) key = null;
        return;
      case 'keyValue':
        if (depth === 1) key = String(t.value);
        return;
    }
    if (depth !== 1) return;
    if (key === 'photo_data') {
      if (t.name === 'startString') {
        inPhoto = true;
        gotPhoto = true;
        decoder = new Base64Decoder();
      } else if (t.name === 'stringChunk' && inPhoto && decoder) {
        await writeBytes(decoder.push(String(t.value)));
      } else if (t.name === 'endString' && inPhoto && decoder) {
        await writeBytes(decoder.end());
        inPhoto = false;
        key = null;
      } else if (t.name !== 'stringChunk' && t.name !== 'endString') {
        throw notAString();
      }
      return;
    }
    if (key === 'telegram_file_id') {
      if (t.name === 'nullValue') {
        fileId = null;
        key = null;
      } else if (t.name === 'startString') {
        fileIdText = '';
      } else if (t.name === 'stringChunk' && fileIdText !== null) {
        fileIdText += String(t.value);
        if (fileIdText.length > MAX_FILE_ID) throw invalidFileId();
      } else if (t.name === 'endString' && fileIdText !== null) {
        fileId = fileIdText;
        fileIdText = null;
        key = null;
      } else {
        throw invalidFileId();
      }
      return;
    }
    if (key === 'consent') {
      // Only the literal true counts; any other value is no consent (and skipped as below).
      if (t.name === 'trueValue') {
        consent = true;
        key = null;
        return;
      }
      if (t.name === 'falseValue' || t.name === 'nullValue' || t.name === 'numberValue') consent = false;
    }
    // Any other field: its value is skipped piece by piece, never kept.
    if (t.name !== 'startString' && t.name !== 'stringChunk') key = null;
  };

  const sink = new Writable({
    objectMode: true,
    write(token: Token, _enc, done) {
      consume(token).then(() => done(), done);
    },
  });

  const parser = streamJson.asStream({
    packStrings: false,
    packKeys: true,
    packNumbers: true,
    streamKeys: false,
    streamNumbers: false,
  });

  // The body is read here, chunk by chunk, and fed to the tokenizer. When the tokenizer or the
  // decoder refuses the input, the rest of the body is still read (and dropped, up to the size
  // limit) rather than cancelled: Next's request stream throws an uncaught error when cancelled
  // while the client is still sending.
  let failure: unknown;
  const parsing = pipeline(parser, sink).catch((err: unknown) => {
    failure ??= err;
  });
  const reader = body.getReader();
  try {
    await outOpen;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rawBytes += value.byteLength;
      if (rawBytes > limits.maxBodyBytes) {
        failure = limits.tooLarge();
        await reader.cancel().catch(() => {});
        break;
      }
      if (failure !== undefined) continue;
      if (!parser.write(value)) await Promise.race([once(parser, 'drain'), parsing]);
    }
    if (failure === undefined) {
      parser.end();
      await parsing;
    }
    if (failure !== undefined) throw failure;
    out.end();
    await once(out, 'finish');
    if (writeError) throw writeError;
  } catch (err) {
    parser.destroy();
    out.destroy();
    if (err instanceof ApiError) throw err;
    if ((err as NodeJS.ErrnoException).syscall) throw err; // the disk: the caller maps it
    throw new ApiError('invalid_json', 'The request body is not valid JSON.');
  }
  if (topLevel === 'other') throw new ApiError('invalid_request', 'The request body must be a JSON object.');
  return { gotPhoto, telegramFileId: fileId ?? undefined, consent };
}

function invalidFileId(): ApiError {
  return new ApiError(
    'invalid_request',
    `telegram_file_id must be a string of at most ${MAX_FILE_ID} characters.`,
  );
}
