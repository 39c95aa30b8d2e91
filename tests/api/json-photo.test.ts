import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as create from '@/app/api/session/create/route';
import { ApiError } from '@/lib/errors';
import { streamJsonPhoto } from '@/lib/json-photo';
import { makeTempDir, useTestEnv } from '../support/env';
import { call } from '../support/http';
import * as img from '../support/images';

// Twenty uploads at once from one address: above the default per-address cap (16) on purpose.
const env = useTestEnv({ MAX_UPLOADS_PER_ADDRESS: '64' });

/** A body that arrives in the given pieces. */
function pieces(parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < parts.length) c.enqueue(enc.encode(parts[i++]));
      else c.close();
    },
  });
}

const tooLarge = () => new ApiError('photo_too_large', 'too large');

async function decode(parts: string[], maxFileBytes = 1 << 20) {
  const dir = makeTempDir();
  const file = path.join(dir, 'out');
  try {
    const r = await streamJsonPhoto(pieces(parts), file, { maxBodyBytes: 4 << 20, maxFileBytes, tooLarge });
    return { ...r, bytes: fs.readFileSync(file) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every way of cutting `text` in two, as a body would arrive over the network. */
function everySplit(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

describe('streamed JSON photo bodies', () => {
  const bytes = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) & 255));
  const b64 = bytes.toString('base64');

  it('decodes plain base64, a data: URL, URL-safe base64, escaped slashes and line breaks, cut anywhere', async () => {
    const forms = [
      JSON.stringify({ photo_data: b64, telegram_file_id: 'AgAD-42' }),
      JSON.stringify({ telegram_file_id: null, photo_data: `data:image/jpeg;base64,${b64}` }),
      JSON.stringify({ photo_data: bytes.toString('base64url') }),
      `{"photo_data":"${b64.replaceAll('/', '\\/')}"}`,
      JSON.stringify({ note: { nested: ['x'] }, photo_data: b64.replace(/(.{60})/g, '$1\n') }),
    ];
    for (const form of forms) {
      for (const split of everySplit(form)) {
        const r = await decode(split);
        expect(r.gotPhoto).toBe(true);
        expect(r.bytes.equals(bytes), `${form.slice(0, 40)} cut at ${split[0]?.length}`).toBe(true);
      }
    }
    expect((await decode([forms[0] as string])).telegramFileId).toBe('AgAD-42');
  });

  it('refuses what the buffered reader refused, with the same codes', async () => {
    const cases: [string, string][] = [
      ['{"photo_data": 5}', 'invalid_request'],
      ['{"photo_data": {"a": 1}}', 'invalid_request'],
      ['{"photo_data": "%%%***"}', 'invalid_request'],
      ['{"photo_data": "AAAA=A"}', 'invalid_request'],
      ['{"photo_data": "data:image/png,abc"}', 'invalid_request'],
      ['{"photo_data": ""}', 'missing_photo'],
      [`{"photo_data": "AAAA", "telegram_file_id": "${'f'.repeat(300)}"}`, 'invalid_request'],
      ['{"photo_data": ', 'invalid_json'],
      ['[1, 2]', 'invalid_request'],
    ];
    for (const [body, code] of cases) {
      const err = await decode([body]).catch((e: unknown) => e);
      expect(err, body).toBeInstanceOf(ApiError);
      expect((err as ApiError).code, body).toBe(code);
    }
    const big = await decode(
      [JSON.stringify({ photo_data: Buffer.alloc(3000).toString('base64') })],
      2000,
    ).catch((e: unknown) => e);
    expect((big as ApiError).code).toBe('photo_too_large');
  });

  it('a real photo sent as JSON arrives like a multipart one', async () => {
    const s = await call(create.POST, { path: '/api/session/create', as: 'booth', json: { type: 'upload' } });
    const id = s.json.session.id;
    const r = await call(photos.POST, {
      path: `/api/session/${id}/photos`,
      params: { id },
      json: { photo_data: `data:image/jpeg;base64,${img.phoneExifJpeg().toString('base64')}` },
    });
    expect(r.status).toBe(201);
    expect(r.json.photo).toMatchObject({ width: 2250, height: 3000, content_type: 'image/jpeg' });
  });

  it('twenty 20 MB JSON bodies at once are streamed, not held: memory stays far below their size', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await call(create.POST, {
        path: '/api/session/create',
        as: 'booth',
        json: { type: 'upload' },
      });
      ids.push(s.json.session.id);
    }
    const chunk = Buffer.alloc(48 * 1024, 0x5a).toString('base64'); // 64 KiB of base64 text
    const PER_BODY = 20 * 1024 * 1024;
    const body = () => {
      let sent = -1;
      const enc = new TextEncoder();
      return new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent < 0) c.enqueue(enc.encode('{"photo_data":"'));
          else if (sent < PER_BODY) c.enqueue(enc.encode(chunk));
          else {
            c.enqueue(enc.encode('"}'));
            c.close();
          }
          sent = sent < 0 ? 0 : sent + chunk.length;
        },
      });
    };
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const id = ids[i % ids.length] as string;
        return call(photos.POST, {
          path: `/api/session/${id}/photos`,
          params: { id },
          as: 'booth',
          body: body(),
          headers: { 'content-type': 'application/json' },
        });
      }),
    );
    clearInterval(sampler);
    // Not an image (bytes of 'Z'): each is refused as one, after being read to the end.
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(415));
    const grewMb = (peak - base) / (1024 * 1024);
    // Held whole, 400 MB of bodies would cost well over a gigabyte (text, string and bytes).
    console.log(`[json-photo] 20 × 20 MB bodies: RSS grew ${grewMb.toFixed(0)} MB`);
    expect(grewMb).toBeLessThan(200);
    expect(fs.readdirSync(path.join(env.dataDir(), 'tmp'))).toEqual([]);
  }, 120_000);
});
