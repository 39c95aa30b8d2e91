import http from 'node:http';
import autocannon, { type Options } from 'autocannon';
import { percentile } from './util';

/** One autocannon run: successful answers per second and latency percentiles. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

export async function cannon(opts: Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 50, duration: 8, timeout: 10, ...opts });
  return {
    rps: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/**
 * Open-loop load: `rate` GET requests per second, evenly spaced (every 10 ms a share), over at
 * most `connections` keep-alive sockets, for `seconds`; latency from send to the last byte.
 * Unlike a closed loop, a slow answer does not slow the arrivals down: this is the latency a
 * client sees at that load. (autocannon's fixed rate sends each second's requests in a burst.)
 */
export async function openLoop(
  url: string,
  rate: number,
  seconds: number,
  connections = 50,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const one = () => {
    const t0 = performance.now();
    const p = new Promise<void>((resolve) => {
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) non2xx++;
          latencies.push(performance.now() - t0);
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy());
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  };
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - start) / 1000;
      const due = Math.min(Math.floor(elapsed * rate), Math.floor(seconds * rate));
      while (sent < due) {
        one();
        sent++;
      }
      if (elapsed >= seconds) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  await Promise.all(pending);
  agent.destroy();
  const took = (performance.now() - start) / 1000;
  return {
    rps: latencies.length / took,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok: latencies.length - non2xx,
    non2xx,
    errors,
  };
}
