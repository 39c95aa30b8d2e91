import { clientAddress } from './auth';
import { getConfig } from './config';
import { ApiError } from './errors';

/**
 * Limits under load (docs/api.md): caps on the live event streams and on the uploads in flight,
 * per client address and in all, and a minimum upload rate.
 *
 * The counters are per process. Under server.mjs each worker enforces its share of a cap: the
 * cap divided by the number of workers (PB_WORKERS, set by server.mjs), rounded up. Workers accept
 * connections themselves, so a client's connections spread over them; a client can be refused a
 * little before it reaches the cap (its connections all landing in one worker), never after.
 * Over a cap: 429 too_many_requests with Retry-After, at once.
 */

type Kind = 'stream' | 'upload';

interface Gate {
  total: number;
  byAddress: Map<string, number>;
}

const g = globalThis as unknown as { __pbGates?: Record<Kind, Gate> };
function gates(): Record<Kind, Gate> {
  g.__pbGates ??= {
    stream: { total: 0, byAddress: new Map() },
    upload: { total: 0, byAddress: new Map() },
  };
  return g.__pbGates;
}

function workers(): number {
  const n = Number(process.env.PB_WORKERS);
  return Number.isInteger(n) && n > 1 ? n : 1;
}

/** This process's share of a cap for the whole server. */
export function shareOf(cap: number, n = workers()): number {
  return Math.max(1, Math.ceil(cap / n));
}

const RETRY_AFTER_S = 5;

const WHAT: Record<Kind, [string, string]> = {
  stream: ['live event streams', 'Close another tab of this page'],
  upload: ['uploads in flight', 'Wait for the other uploads to finish'],
};

/**
 * Takes a slot (or throws the 429); returns its release, which is safe to call more than once.
 */
function acquire(kind: Kind, request: Request): () => void {
  const { limits } = getConfig();
  const [cap, perAddress] =
    kind === 'stream'
      ? [limits.eventStreams, limits.eventStreamsPerAddress]
      : [limits.uploads, limits.uploadsPerAddress];
  const gate = gates()[kind];
  const address = clientAddress(request);
  const mine = gate.byAddress.get(address) ?? 0;
  const [what, advice] = WHAT[kind];
  const headers = { 'Retry-After': String(RETRY_AFTER_S) };
  if (mine >= shareOf(perAddress)) {
    throw new ApiError(
      'too_many_requests',
      `Too many ${what} from this address (at most ${perAddress}). ${advice}, then try again.`,
      undefined,
      headers,
    );
  }
  if (gate.total >= shareOf(cap)) {
    throw new ApiError(
      'too_many_requests',
      `The server has too many ${what} (at most ${cap}); try again in a moment.`,
      undefined,
      headers,
    );
  }
  gate.total++;
  gate.byAddress.set(address, mine + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    gate.total--;
    const left = (gate.byAddress.get(address) ?? 1) - 1;
    if (left <= 0) gate.byAddress.delete(address);
    else gate.byAddress.set(address, left);
  };
}

export const acquireStream = (request: Request) => acquire('stream', request);
export const acquireUpload = (request: Request) => acquire('upload', request);

/** What this process holds now (tests and the benchmark). */
export function inFlight(): { streams: number; uploads: number } {
  const { stream, upload } = gates();
  return { streams: stream.total, uploads: upload.total };
}

// ----------------------------------------------------------------------- the minimum upload rate

interface Metered {
  received: number;
  /** Bytes received at each of the last window's ticks (one a second). */
  history: number[];
  cut: (err: ApiError) => void;
}

const gm = globalThis as unknown as { __pbMetered?: Set<Metered>; __pbMeterTimer?: NodeJS.Timeout };

/** One timer for every upload in flight: once a second, cut the bodies slower than the minimum. */
function tick(): void {
  const metered = gm.__pbMetered;
  if (!metered || metered.size === 0) {
    clearInterval(gm.__pbMeterTimer);
    gm.__pbMeterTimer = undefined;
    return;
  }
  const { minUploadBytesPerSecond: rate, uploadRateWindowSeconds: window } = getConfig().limits;
  for (const m of metered) {
    m.history.push(m.received);
    if (m.history.length <= window) continue;
    const since = m.history.shift() as number;
    if (m.received - since < rate * window) {
      m.cut(
        new ApiError(
          'request_timeout',
          `The upload is too slow: less than ${rate} bytes per second over ${window} s. Try again on a better connection.`,
          undefined,
          { Connection: 'close' },
        ),
      );
    }
  }
}

/**
 * The request's body, cut with 408 request_timeout when, after the first window, it brings fewer
 * than MIN_UPLOAD_BYTES_PER_SECOND over the last UPLOAD_RATE_WINDOW_SECONDS (a trickle or a stall).
 */
export function meteredBody(request: Request): ReadableStream<Uint8Array> | null {
  const source = request.body;
  if (!source || getConfig().limits.minUploadBytesPerSecond === 0) return source;
  const reader = source.getReader();
  let entry: Metered | undefined;
  const done = () => {
    if (entry) gm.__pbMetered?.delete(entry);
    entry = undefined;
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        entry = {
          received: 0,
          history: [0],
          cut: (err) => {
            done();
            controller.error(err);
            reader.cancel(err).catch(() => {});
          },
        };
        gm.__pbMetered ??= new Set();
        gm.__pbMetered.add(entry);
        gm.__pbMeterTimer ??= setInterval(tick, 1000);
        gm.__pbMeterTimer.unref();
      },
      async pull(controller) {
        try {
          const { done: end, value } = await reader.read();
          if (!entry) return; // cut meanwhile
          if (end) {
            done();
            controller.close();
            return;
          }
          entry.received += value.byteLength;
          controller.enqueue(value);
        } catch (err) {
          if (!entry) return;
          done();
          controller.error(err);
        }
      },
      cancel(reason) {
        done();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
