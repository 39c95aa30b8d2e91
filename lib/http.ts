import { ZodError, type z } from 'zod';
import { isDatabaseUnavailable } from '@/db/connection';
import { type Caller, identify, requireRole } from './auth';
import { ApiError, errorBody } from './errors';
import { baseUrlFor } from './links';
import type { Role } from './roles';
import { serializeSession } from './sessions';
import { isStorageError, storageError } from './storage';

/**
 * The thin HTTP layer shared by every route handler: one wrapper that turns thrown errors into
 * the one JSON error shape, JSON helpers, bounded body reading, and authentication.
 */

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });
}

function zodMessage(err: ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function errorResponse(err: unknown, request: Request): Response {
  if (err instanceof ZodError) err = new ApiError('invalid_request', zodMessage(err));
  if (!(err instanceof ApiError) && isStorageError(err)) err = storageError(err);
  if (isDatabaseUnavailable(err)) {
    err = new ApiError('server_busy', 'The server is busy; please try again in a moment.', undefined, {
      'Retry-After': '1',
    });
  }
  if (err instanceof ApiError) {
    const extra = err.session ? { session: serializeSession(err.session, baseUrlFor(request)) } : err.extra;
    return json(errorBody(err.code, err.message, extra), err.status, err.headers);
  }
  if (clientLeft(err, request)) {
    // Nobody is there to read an answer; one line is enough (not a stack trace per phone that
    // lost its connection mid-upload).
    console.warn(`[api] ${request.method} ${new URL(request.url).pathname}: the client left mid-request`);
    return json(errorBody('invalid_request', 'The request was cut off before its body arrived.'), 400);
  }
  console.error(`[api] ${request.method} ${new URL(request.url).pathname} failed:`, err);
  return json(errorBody('internal_error', 'Something went wrong on the server.'), 500);
}

/** The client went away mid-request: its body was aborted or its connection reset. */
function clientLeft(err: unknown, request: Request): boolean {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null;
  return (
    request.signal.aborted ||
    e?.code === 'ECONNRESET' ||
    e?.code === 'ABORT_ERR' ||
    e?.name === 'AbortError' ||
    e?.message === 'aborted'
  );
}

type Params = Record<string, string>;
export type RouteCtx<P extends Params> = { params: Promise<P> };

export function route<P extends Params = Params>(
  fn: (request: Request, params: P) => Promise<Response> | Response,
): (request: Request, ctx: RouteCtx<P>) => Promise<Response> {
  return async (request, ctx) => {
    try {
      // One rule for every route, guest routes included: a Bearer token that was sent must be
      // right (401), never silently ignored, so a misconfigured booth learns at once.
      if (request.headers.has('authorization')) await callerOf(request);
      return await fn(request, ((await ctx?.params) ?? {}) as P);
    } catch (err) {
      return errorResponse(err, request);
    }
  };
}

/** Who is calling. Credentials that were presented must be right: a wrong token is 401, not a guest. */
export async function callerOf(request: Request): Promise<Caller> {
  const caller = await identify(request);
  if (caller.badCredentials) requireRole(caller, 'booth');
  return caller;
}

/**
 * Runs the checks that come before reading a request body; when one refuses, the unread body is
 * cancelled so the client is answered at once instead of after sending everything.
 */
export async function beforeBody<T>(request: Request, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    await request.body?.cancel().catch(() => {});
    throw err;
  }
}

// No per-route 405: server.mjs (edge.mjs) answers a method a route does not export with the one
// JSON 405 and its Allow header, before Next (whose own 405 has an empty body).

/** Authenticates the caller and checks it has at least `needed`. */
export async function authorize(request: Request, needed: Role): Promise<Caller> {
  const caller = await identify(request);
  requireRole(caller, needed);
  return caller;
}

/** Reads a body of at most maxBytes, refusing early on Content-Length and while streaming. */
export async function readBodyLimited(
  request: Request,
  maxBytes: number,
  tooLarge: () => ApiError,
  /** The body to read, when not request.body itself (e.g. metered: lib/limits.ts). */
  body: ReadableStream<Uint8Array> | null = request.body,
): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, total);
}

export const MAX_JSON_BYTES = 64 * 1024;

/** Parses a JSON body (an empty body counts as {}) and validates it with the schema. */
export async function readJson<T extends z.ZodType>(
  request: Request,
  schema: T,
  maxBytes = MAX_JSON_BYTES,
): Promise<z.infer<T>> {
  const raw = await readBodyLimited(
    request,
    maxBytes,
    () => new ApiError('payload_too_large', `The request body is larger than ${maxBytes} bytes.`),
  );
  return schema.parse(parseJsonText(raw));
}

export function parseJsonText(raw: Buffer): unknown {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON.');
  }
}

/** Validates a query string against a schema; unknown values become 400 invalid_query. */
export function readQuery<T extends z.ZodType>(request: Request, schema: T): z.infer<T> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new ApiError('invalid_query', zodMessage(parsed.error));
  return parsed.data;
}
