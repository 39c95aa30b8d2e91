import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { type Api, GrammyError } from 'grammy';
import { getConfig, type TelegramConfig } from '../config';
import { ensureDirs, tmpPath } from '../storage';
import { tooLarge } from '../upload';
import { backoffMs, DEFAULT_RETRY, type RetryOptions, sleep } from './retry';

/**
 * Fetching a file a guest sent: getFile, then GET <api root>/file/bot<token>/<file_path>, streamed
 * to a temporary file (never held in memory) and cut off at the same MAX_UPLOAD_MB as a web
 * upload. The photo pipeline then reads it like any upload.
 */

/** The Bot API hands out files of at most 20 MB through getFile. */
export const BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** The largest file a guest can send through this Bot API server. */
export function downloadLimitBytes(cfg: TelegramConfig): number {
  const { maxUploadBytes } = getConfig();
  // A self-hosted Bot API server (another TELEGRAM_API_ROOT) has no 20 MB cap.
  return cfg.apiRoot === DEFAULT_API_ROOT ? Math.min(maxUploadBytes, BOT_API_DOWNLOAD_LIMIT) : maxUploadBytes;
}

class TooLarge extends Error {}

export interface DownloadedFile {
  path: string;
  cleanup: () => Promise<void>;
}

export async function downloadTelegramFile(
  api: Api,
  cfg: TelegramConfig,
  fileId: string,
  declaredSize: number | undefined,
  retry: RetryOptions = DEFAULT_RETRY,
): Promise<DownloadedFile> {
  const { maxUploadBytes } = getConfig();
  if (declaredSize !== undefined && declaredSize > maxUploadBytes) throw tooLarge();
  let file: Awaited<ReturnType<Api['getFile']>>;
  try {
    file = await api.getFile(fileId);
  } catch (err) {
    if (err instanceof GrammyError && /too big/i.test(err.description)) throw tooLarge();
    throw err;
  }
  if (file.file_size !== undefined && file.file_size > maxUploadBytes) throw tooLarge();
  if (!file.file_path) throw new Error(`getFile gave no file_path for ${fileId}`);
  // A self-hosted Bot API server in --local mode answers with a path on its own disk.
  // Trusted only from such a server, and never inside our own data directory (other guests' photos).
  if (path.isAbsolute(file.file_path)) {
    const inside = path.relative(getConfig().dataDir, path.resolve(file.file_path));
    if (cfg.apiRoot === DEFAULT_API_ROOT || !inside.startsWith('..')) {
      throw new Error(`refusing the local file path ${file.file_path} from the Bot API`);
    }
    const st = await fsp.stat(file.file_path);
    if (st.size > maxUploadBytes) throw tooLarge();
    return { path: file.file_path, cleanup: async () => {} };
  }
  const url = `${cfg.apiRoot}/file/bot${cfg.botToken}/${file.file_path}`;
  const target = tmpPath('.telegram');
  ensureDirs();
  const cleanup = () => fsp.rm(target, { force: true });
  for (let attempt = 1; ; attempt++) {
    try {
      await fetchTo(url, target, maxUploadBytes);
      return { path: target, cleanup };
    } catch (err) {
      await cleanup();
      if (err instanceof TooLarge) throw tooLarge();
      const status = (err as { status?: number }).status;
      const transient = status === undefined || status === 429 || status >= 500;
      if (!transient || attempt >= retry.attempts) throw err;
      console.warn(`[telegram] file download failed (${status ?? (err as Error).message}), retry ${attempt}`);
      await sleep(backoffMs(attempt, retry));
    }
  }
}

async function fetchTo(url: string, target: string, maxBytes: number): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw Object.assign(new Error(`file download answered ${res.status}`), { status: res.status });
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body.cancel().catch(() => {});
    throw new TooLarge();
  }
  let total = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      done(total > maxBytes ? new TooLarge() : null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(res.body as unknown as NodeWebReadableStream<Uint8Array>),
    limit,
    fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }),
  );
}
