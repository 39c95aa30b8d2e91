import { GrammyError, HttpError, type Transformer } from 'grammy';

/**
 * Retries for calls to the Bot API: a 429 waits the `retry_after` Telegram asks for, a 5xx or a
 * network error backs off exponentially (with jitter), anything else (400, 403…) is final.
 * getUpdates is left alone: grammY's polling loop has its own retry.
 */
export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer retry_after than this is not waited for: the call fails and a later scan retries. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
};

export function backoffMs(attempt: number, opts: RetryOptions): number {
  const exp = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + (Math.random() * exp) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function retryTransformer(opts: RetryOptions = DEFAULT_RETRY): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === 'getUpdates') return prev(method, payload, signal);
    for (let attempt = 1; ; attempt++) {
      let delay: number;
      try {
        const res = await prev(method, payload, signal);
        if (res.ok || attempt >= opts.attempts) return res;
        if (res.error_code === 429) delay = (res.parameters?.retry_after ?? 1) * 1000;
        else if (res.error_code >= 500) delay = backoffMs(attempt, opts);
        else return res;
        if (delay > opts.maxRetryAfterMs) return res;
      } catch (err) {
        if (!(err instanceof HttpError) || attempt >= opts.attempts || signal?.aborted) throw err;
        delay = backoffMs(attempt, opts);
      }
      console.warn(`[telegram] ${method} failed, retry ${attempt} of ${opts.attempts - 1} in ${delay} ms`);
      await sleep(delay, signal as AbortSignal | undefined);
    }
  };
}

/** True when a failed call may succeed later (network, 429, 5xx): worth retrying on a later scan. */
export function isTransient(err: unknown): boolean {
  if (err instanceof HttpError) return true;
  if (err instanceof GrammyError) return err.error_code === 429 || err.error_code >= 500;
  return false;
}
