import { type ClientErrorCode, isRetryable } from '@/lib/shared/errors';
import type { PhotoJson, SessionJson } from '@/lib/shared/wire';

/** Browser-side calls to the session API: one error type, the API's own error codes. */

export type {
  CleanupJson,
  PhotoJson,
  SessionJson,
  SessionListItemJson,
  SessionListJson,
  SessionsChangedJson,
  StatsJson,
} from '@/lib/shared/wire';
export { isRetryable };

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    /** The API's error code, or `network_error` / `server_error` when there was no JSON answer. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function failureFrom(status: number, body: unknown): ApiFailure {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (err && typeof err.code === 'string')
    return new ApiFailure(status, err.code, String(err.message ?? err.code));
  if (status === 0) return new ApiFailure(0, 'network_error', 'No connection to the server.');
  return new ApiFailure(status, 'server_error', `The server answered ${status}.`);
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      cache: 'no-store',
      credentials: 'same-origin',
      headers: init.body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw failureFrom(0, null);
  }
  if (res.status === 204) return undefined as T;
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) throw failureFrom(res.status, body);
  return body as T;
}

/**
 * Multipart upload of one image (field `photo`) with real progress, via XMLHttpRequest. `fields`
 * (e.g. `consent`) are sent before the file.
 */
export function uploadPhoto(
  path: string,
  blob: Blob,
  filename: string,
  onProgress?: (fraction: number) => void,
  fields: Record<string, string> = {},
): Promise<{ photo: PhotoJson; session: SessionJson }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: handled below as a server error
      }
      if (xhr.status === 201 && body) resolve(body as { photo: PhotoJson; session: SessionJson });
      else reject(failureFrom(xhr.status, body));
    };
    xhr.onerror = () => reject(failureFrom(0, null));
    xhr.ontimeout = () => reject(failureFrom(0, null));
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('photo', blob, filename);
    xhr.send(form);
  });
}

/** Error codes that have their own translated message (messages: errors.<code>). */
export const KNOWN_ERRORS = [
  'photo_limit_reached',
  'session_expired',
  'session_closed',
  'session_not_found',
  'unsupported_media_type',
  'invalid_image',
  'photo_too_large',
  'payload_too_large',
  'storage_unavailable',
  'network_error',
  'forbidden',
  'unauthorized',
  'too_many_requests',
  'no_photos',
  'invalid_token',
  'server_busy',
  'request_timeout',
  'server_error',
] as const satisfies readonly ClientErrorCode[];
export type KnownError = (typeof KNOWN_ERRORS)[number];

export function errorKey(code: string): KnownError {
  return (KNOWN_ERRORS as readonly string[]).includes(code) ? (code as KnownError) : 'server_error';
}
