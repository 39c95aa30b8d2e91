/** A minimal SSE reader over fetch, for tests: collects events as they arrive. */
export interface SseEvent {
  event: string;
  data: string;
  at: number;
}

export interface SseClient {
  events: SseEvent[];
  comments: number;
  closed: Promise<void>;
  waitFor: (pred: (e: SseEvent) => boolean, timeoutMs?: number) => Promise<SseEvent>;
  close: () => void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ctrl.signal });
  if (!res.ok || !res.body) throw new Error(`SSE ${url} answered ${res.status}`);
  const client: SseClient = {
    events: [],
    comments: 0,
    closed: Promise.resolve(),
    waitFor: (pred, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const found = client.events.find(pred);
        if (found) return resolve(found);
        const started = Date.now();
        const timer = setInterval(() => {
          const e = client.events.find(pred);
          if (e) {
            clearInterval(timer);
            resolve(e);
          } else if (Date.now() - started > timeoutMs) {
            clearInterval(timer);
            reject(
              new Error(
                `no matching SSE event in ${timeoutMs} ms; got ${client.events.map((x) => x.event).join(',')}`,
              ),
            );
          }
        }, 5);
      }),
    close: () => ctrl.abort(),
  };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  client.closed = (async () => {
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        let idx = buf.indexOf('\n\n');
        while (idx >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments++;
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) client.events.push({ event, data: data.join('\n'), at: Date.now() });
          idx = buf.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return client;
}
