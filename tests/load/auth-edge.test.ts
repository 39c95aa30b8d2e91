import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, BOOTH_TOKEN, boothAuth } from '../../bench/lib/servers';
import { dbRun } from '../support/db';
import { sendFresh, useCluster } from './support';

/**
 * Logins against the production server with two workers: the login limit is counted in the
 * database, so both workers share it, and per socket address, so a client-set X-Forwarded-For
 * changes nothing; a logout ends the cookie in both workers; forwarded headers are not believed
 * without TRUST_PROXY.
 */

const cluster = useCluster();

const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  sendFresh(cluster.server().url, method, path, headers, body);

async function loginOnce(token: string, headers: Record<string, string> = {}): Promise<number> {
  return (await send('POST', '/api/auth/login', headers, JSON.stringify({ token }))).status;
}

describe('logins across two workers', () => {
  it('a logout ends the cookie in every worker', async () => {
    const r = await send('POST', '/api/auth/login', {}, JSON.stringify({ token: ADMIN_TOKEN }));
    expect(r.status).toBe(200);
    const cookie = String(r.headers['set-cookie']?.[0]).split(';')[0] as string;
    for (let i = 0; i < 4; i++)
      expect((await send('GET', '/api/sessions/list', { cookie })).status).toBe(200);
    const origin = cluster.server().url;
    expect((await send('POST', '/api/auth/logout', { cookie, origin })).status).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await send('GET', '/api/sessions/list', { cookie })).status).toBe(401);
  });

  it('without TRUST_PROXY forged forwarded headers steer neither links nor the Origin check', async () => {
    const forged = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'javascript' };
    const made = await send('POST', '/api/session/create', { ...boothAuth, ...forged }, '{"type":"upload"}');
    expect(made.status).toBe(201);
    const { session } = JSON.parse(made.text);
    expect(session.url).not.toMatch(/evil|javascript|null/);
    expect(session.url).toMatch(new RegExp(`^http://[^/]+:${cluster.server().port}/s/${session.id}$`));
    const login = await send('POST', '/api/auth/login', {}, JSON.stringify({ token: BOOTH_TOKEN }));
    const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0] as string;
    const cross = await send(
      'POST',
      '/api/session/create',
      { cookie, origin: 'http://evil.example', ...forged },
      '{"type":"upload"}',
    );
    expect(cross.status).toBe(403);
  });

  it('lets exactly 10 wrong tries through per address, whichever worker answers, whatever X-Forwarded-For says', async () => {
    // The logins above counted too: start this address's window afresh, in the server's database.
    await dbRun('delete from rate_limits', [], cluster.dataDir());
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
