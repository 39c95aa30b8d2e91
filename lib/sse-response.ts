import { acquireStream } from './limits';

/** The headers of every live stream (text/event-stream), through Next or server.mjs. */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const;

/**
 * A live-stream answer holding one of the capped stream slots (lib/limits.ts; over the cap: 429 at
 * once). `open` gets the slot's release, to call when the stream ends; if opening throws, the slot
 * is given back here.
 */
export function streamResponse(
  request: Request,
  open: (release: () => void) => ReadableStream<Uint8Array>,
): Response {
  const release = acquireStream(request);
  try {
    return new Response(open(release), { headers: SSE_HEADERS });
  } catch (err) {
    release();
    throw err;
  }
}
