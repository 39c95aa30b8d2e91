import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../bench/lib/servers';
import { makeTempDir } from '../support/env';
import { type RunningServer, startCluster } from './support';

/**
 * The login limit against the production server with two workers: counted in the database, so
 * both workers share it, and per socket address, so a client-set X-Forwarded-For changes nothing.
 */

let server: RunningServer;
let dir: string;
beforeAll(async () => {
  dir = makeTempDir();
  server = await startCluster(dir, {}, 2);
}, 600_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One login on a fresh connection (so the kernel spreads them over both workers). */
function loginOnce(token: string, headers: Record<string, string> = {}): Promise<number> {
  const body = JSON.stringify({ token });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}/api/auth/login`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
        timeout: 20_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('login timed out')));
    req.end(body);
  });
}

describe('login limit across two workers', () => {
  it('lets exactly 10 wrong tries through per address, whichever worker answers, whatever X-Forwarded-For says', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      statuses.push(await loginOnce('wrong-guess-of-the-token', { 'x-forwarded-for': `10.9.${i}.1` }));
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    // The limit is on the address: the right token from it waits out the window too.
    expect(await loginOnce(ADMIN_TOKEN)).toBe(429);
  }, 120_000);
});
