import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerOf, errorResponse } from './http';
import { acquireStream } from './limits';
import { baseUrlFor } from './links';
import { loadLiveSession } from './sessions';
import { nodeSink, SessionStream } from './sse';
import { SSE_HEADERS } from './sse-response';

/**
 * GET /api/session/:id/events served by server.mjs itself, on the Node request and response,
 * not through Next. An idle stream held through Next's route handler kept ~75 KB of V8 heap
 * (its request, async contexts, caches and promise chains live as long as the response);
 * here a stream is its socket, its response and one SessionStream (bench B4 has the numbers).
 * Same checks and answers as app/api/session/[id]/events/route.ts, which stays for `next dev`.
 */

/** A Request with the URL and headers only: what the checks read (address, host, credentials). */
function requestOf(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { headers });
}

export async function serveEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  sessionIdSegment: string,
  extraHeaders: Record<string, string>,
): Promise<void> {
  let request: Request | undefined = requestOf(req);
  let release: (() => void) | undefined;
  let baseUrl: string;
  let sessionId: string;
  try {
    // The rule of every route (lib/http.ts route()): a Bearer token that was sent must be right.
    if (request.headers.has('authorization')) await callerOf(request);
    sessionId = (await loadLiveSession(decodeURIComponent(sessionIdSegment))).id;
    release = acquireStream(request);
    baseUrl = baseUrlFor(request);
  } catch (err) {
    release?.();
    const response = errorResponse(err, request);
    request = undefined;
    void response.text().then((body) => {
      const headers: Record<string, string> = { ...extraHeaders };
      response.headers.forEach((v, k) => {
        headers[k] = v;
      });
      res.writeHead(response.status, headers);
      res.end(body);
    });
    return;
  }
  request = undefined;
  // The client may have gone while the session was read: then 'close' has fired already.
  if (res.destroyed || req.destroyed) {
    release?.();
    return;
  }
  res.writeHead(200, { ...extraHeaders, ...SSE_HEADERS });
  res.flushHeaders();
  const stream = new SessionStream(sessionId, baseUrl, undefined, release);
  res.once('close', () => stream.close());
  stream.start(nodeSink(res));
}

/** Lets server.mjs find the handler (this module lives in Next's bundle, server.mjs outside it). */
export function registerEventStreamHandler(): void {
  (globalThis as unknown as { __pbServeEventStream?: typeof serveEventStream }).__pbServeEventStream =
    serveEventStream;
}
