import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../bench/lib/util';
import { makeTempDir } from '../support/env';
import { createSession, type RunningServer, startCluster, waitUntil } from './support';

/**
 * A connection flood at the file-descriptor limit, against the production server (`node
 * server.mjs`, 2 workers) started under `ulimit -n 256`: 1,000 event streams, far more than the
 * two workers can hold. Every connection must be answered or reset at once (none left waiting
 * in a backlog), the shedding must be logged, and seconds after the clients leave the server
 * must be healthy again. The stream caps are raised out of the way: this is about descriptors.
 */

const FD_LIMIT = 256;
const STREAMS = 1000;

let server: RunningServer;
let dataDir: string;
const requests: http.ClientRequest[] = [];

beforeAll(async () => {
  dataDir = makeTempDir('pb-load-flood-');
  server = await startCluster(
    dataDir,
    { MAX_EVENT_STREAMS: '100000', MAX_EVENT_STREAMS_PER_ADDRESS: '100000' },
    2,
    { fdLimit: FD_LIMIT },
  );
}, 300_000);

afterAll(async () => {
  for (const r of requests) r.destroy();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** GET with a deadline: the status, or the error code, or 'timeout'. */
function probe(url: string, timeoutMs = 2000): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe(`a connection flood at the fd limit (node server.mjs, 2 workers, ulimit -n ${FD_LIMIT})`, () => {
  it('answers or resets every connection, logs the shedding, and is healthy seconds after', async () => {
    const id = await createSession(server.url);
    const outcomes = new Map<string, number>();
    const note = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    let settled = 0;
    for (let i = 0; i < STREAMS; i++) {
      let done = false;
      const settle = (outcome: string) => {
        if (done) return;
        done = true;
        settled++;
        note(outcome);
      };
      const req = http.get(`${server.url}/api/session/${id}/events`, { agent: false }, (res) => {
        settle(String(res.statusCode));
        res.on('data', () => {});
        res.on('error', () => {});
      });
      req.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
      requests.push(req);
      if (i % 5 === 4) await sleep(10);
    }
    // Every one is answered or refused within seconds, not left waiting in the kernel's backlog.
    await waitUntil(
      () => settled >= STREAMS,
      20_000,
      `all ${STREAMS} connections to be answered or reset`,
    ).catch(() => {});
    const summary = JSON.stringify(Object.fromEntries(outcomes));
    console.log(`[flood] ${STREAMS} event streams at ulimit -n ${FD_LIMIT}: ${summary}`);
    expect(settled, `unanswered connections (${summary})`).toBe(STREAMS);
    expect(outcomes.get('200') ?? 0).toBeGreaterThan(100);
    await waitUntil(
      () => /at its connection limit/.test(server.logs()),
      15_000,
      'the server to log the shedding',
    );

    // Everyone leaves; seconds later the server answers again, streams included.
    for (const r of requests) r.destroy();
    const left = Date.now();
    let health: number | string = '';
    while (Date.now() - left < 10_000) {
      health = await probe(`${server.url}/api/health`);
      if (health === 200) break;
      await sleep(250);
    }
    expect(health).toBe(200);
    console.log(`[flood] healthy ${Date.now() - left} ms after the clients left`);
    const stream = await new Promise<string>((resolve) => {
      const req = http.get(
        `${server.url}/api/session/${id}/events`,
        { agent: false, timeout: 5000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
            if (text.includes('event: session')) {
              req.destroy();
              resolve(`${res.statusCode} session`);
            }
          });
        },
      );
      req.on('timeout', () => {
        req.destroy();
        resolve('timeout');
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(stream).toBe('200 session');
    expect(server.logs()).not.toMatch(/died|uncaught/i);
  }, 90_000);
});
