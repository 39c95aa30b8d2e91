import http from 'node:http';

/**
 * A minimal EventSource over node:http (loopback only), timestamping every event as it arrives.
 * Used by the live-latency benchmark and the load tests.
 */
export interface SseEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: the parsed data of an event, read loosely
  data: any;
  at: number;
}

export interface SseClient {
  events: SseEvent[];
  /** Resolves with the first event (already seen or future) that matches. */
  waitFor: (match: (e: SseEvent) => boolean, timeoutMs?: number) => Promise<SseEvent>;
  closed: Promise<void>;
  isClosed: () => boolean;
  close: () => void;
}

export function openSse(
  url: string,
  opts: { headers?: Record<string, string>; onEvent?: (e: SseEvent) => void; keep?: boolean } = {},
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
    let closed = false;
    let resolveClosed: () => void = () => {};
    const closedP = new Promise<void>((r) => {
      resolveClosed = r;
    });
    const req = http.get(
      url,
      { agent: false, headers: { accept: 'text/event-stream', ...opts.headers } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`SSE ${url}: HTTP ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            if (data.length === 0) continue;
            let parsed: unknown = data.join('\n');
            try {
              parsed = JSON.parse(parsed as string);
            } catch {
              // not JSON: keep the text
            }
            const e: SseEvent = { event, data: parsed, at: performance.now() };
            if (opts.keep !== false) events.push(e);
            opts.onEvent?.(e);
            for (const w of [...waiters]) {
              if (w.match(e)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(e);
              }
            }
          }
        });
        const end = () => {
          closed = true;
          resolveClosed();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
        resolve({
          events,
          closed: closedP,
          isClosed: () => closed,
          close: () => {
            req.destroy();
            end();
          },
          waitFor: (match, timeoutMs = 10_000) => {
            const seen = events.find(match);
            if (seen) return Promise.resolve(seen);
            return new Promise((res2, rej2) => {
              const w = {
                match,
                resolve: (e: SseEvent) => {
                  clearTimeout(t);
                  res2(e);
                },
              };
              const t = setTimeout(() => {
                waiters.splice(waiters.indexOf(w), 1);
                rej2(new Error(`SSE ${url}: no matching event in ${timeoutMs} ms`));
              }, timeoutMs);
              waiters.push(w);
            });
          },
        });
      },
    );
    req.on('error', (err) => {
      if (!closed) reject(err);
      closed = true;
      resolveClosed();
    });
  });
}
