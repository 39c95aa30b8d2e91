import { describe, expect, it } from 'vitest';
import * as login from '@/app/api/auth/login/route';
import * as logout from '@/app/api/auth/logout/route';
import * as create from '@/app/api/session/create/route';
import * as list from '@/app/api/sessions/list/route';
import { resetLoginRateForTests, resetTokensForTests } from '@/lib/auth';
import { resetConfigForTests } from '@/lib/config';
import { ADMIN_TOKEN, BOOTH_TOKEN, useTestEnv } from '../support/env';
import { call } from '../support/http';

useTestEnv({ PUBLIC_URL: '' });

const ORIGIN = { origin: 'http://booth.test', host: 'booth.test' };

async function logIn(token: string, headers: Record<string, string> = {}) {
  const r = await call(login.POST, {
    path: '/api/auth/login',
    json: { token },
    headers: { ...ORIGIN, ...headers },
  });
  return { ...r, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] as string };
}

const listAs = (cookie: string) => call(list.GET, { path: '/api/sessions/list', headers: { cookie } });

/** Runs fn with env variables set (and the config re-read), then puts everything back. */
async function withEnv(env: Record<string, string>, fn: () => Promise<void>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  resetConfigForTests();
  try {
    await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfigForTests();
  }
}

describe('logins are revocable', () => {
  it('after logout the same cookie no longer works anywhere', async () => {
    const { cookie } = await logIn(ADMIN_TOKEN);
    expect((await listAs(cookie)).status).toBe(200);
    const out = await call(logout.POST, { path: '/api/auth/logout', headers: { cookie, ...ORIGIN } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    // A copy of the cookie kept by an attacker (or a second tab) is dead too.
    const again = await listAs(cookie);
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('unauthorized');
  });

  it('logging out one device leaves the others logged in', async () => {
    const a = await logIn(BOOTH_TOKEN);
    const b = await logIn(BOOTH_TOKEN);
    expect(a.cookie).not.toBe(b.cookie);
    await call(logout.POST, { path: '/api/auth/logout', headers: { cookie: a.cookie, ...ORIGIN } });
    const created = await call(create.POST, {
      path: '/api/session/create',
      headers: { cookie: b.cookie, ...ORIGIN },
      json: { type: 'upload' },
    });
    expect(created.status).toBe(201);
  });

  it('changing a token logs out every device of that role', async () => {
    const { cookie } = await logIn(ADMIN_TOKEN);
    expect((await listAs(cookie)).status).toBe(200);
    await withEnv({ ADMIN_TOKEN: 'a-brand-new-admin-token-42' }, async () => {
      resetTokensForTests();
      expect((await listAs(cookie)).status).toBe(401);
    });
    resetTokensForTests();
  });

  it('the cookie is a random secret, not derived from the token', async () => {
    const { cookie } = await logIn(ADMIN_TOKEN);
    expect(cookie).toMatch(/^pb_auth=[A-Za-z0-9_-]{43}$/);
    expect(cookie).not.toContain('admin');
  });
});

describe('login and logout refuse other sites (login CSRF)', () => {
  it('a foreign Origin cannot log a browser in', async () => {
    const r = await logIn(ADMIN_TOKEN, { origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('forbidden');
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  it('only JSON logs in: text/plain and form posts are 415 and set no cookie', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const r = await call(login.POST, {
        path: '/api/auth/login',
        body: JSON.stringify({ token: ADMIN_TOKEN }),
        headers: { 'content-type': type, ...ORIGIN },
      });
      expect(r.status, type).toBe(415);
      expect(r.json.error.code).toBe('unsupported_media_type');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
  });

  it('a foreign Origin cannot log a browser out', async () => {
    const { cookie } = await logIn(ADMIN_TOKEN);
    const r = await call(logout.POST, {
      path: '/api/auth/logout',
      headers: { cookie, origin: 'http://evil.example', host: 'booth.test' },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect((await listAs(cookie)).status).toBe(200);
  });

  it('a script without Origin (curl) may still log in', async () => {
    const r = await call(login.POST, { path: '/api/auth/login', json: { token: BOOTH_TOKEN } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ role: 'booth' });
  });
});

describe('forwarded headers count only behind a trusted proxy', () => {
  it('without TRUST_PROXY, X-Forwarded-Host does not pass the Origin check or steer guest links', async () => {
    const { cookie } = await logIn(BOOTH_TOKEN);
    const forged = {
      cookie,
      host: 'booth.test',
      origin: 'http://evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'javascript',
    };
    const cross = await call(create.POST, {
      path: '/api/session/create',
      headers: forged,
      json: { type: 'upload' },
    });
    expect(cross.status).toBe(403);
    const bearer = await call(create.POST, {
      path: '/api/session/create',
      as: 'booth',
      headers: { host: 'booth.test', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'javascript' },
      json: { type: 'upload' },
    });
    expect(bearer.status).toBe(201);
    expect(bearer.json.session.url).toBe(`http://booth.test/s/${bearer.json.session.id}`);
    // Nor does X-Forwarded-Proto make the login cookie Secure on a plain http request.
    const r = await logIn(ADMIN_TOKEN, { 'x-forwarded-proto': 'https' });
    expect(r.headers.get('set-cookie')).not.toMatch(/Secure/);
  });

  it('with TRUST_PROXY=1 the proxy’s host and https are used, but only valid values', async () => {
    await withEnv({ TRUST_PROXY: '1' }, async () => {
      const proxied = await call(create.POST, {
        path: '/api/session/create',
        as: 'booth',
        headers: {
          host: '10.0.0.5:3000',
          'x-forwarded-host': 'photos.example.com',
          'x-forwarded-proto': 'https',
        },
        json: { type: 'upload' },
      });
      expect(proxied.json.session.url).toBe(`https://photos.example.com/s/${proxied.json.session.id}`);
      const bad = await call(create.POST, {
        path: '/api/session/create',
        as: 'booth',
        headers: {
          host: 'booth.test',
          'x-forwarded-host': 'evil.example/s/x?',
          'x-forwarded-proto': 'javascript',
        },
        json: { type: 'upload' },
      });
      expect(bad.json.session.url).toBe(`http://booth.test/s/${bad.json.session.id}`);
      const secure = await logIn(ADMIN_TOKEN, { 'x-forwarded-proto': 'https' });
      expect(secure.headers.get('set-cookie')).toMatch(/Secure/);
    });
  });
});

describe('the login limit counts per client address', () => {
  it('a guesser elsewhere does not lock the staff out', async () => {
    await resetLoginRateForTests();
    // 300 wrong tries from 30 other addresses (as a trusted proxy would report them).
    for (let i = 0; i < 300; i++) {
      await call(login.POST, {
        path: '/api/auth/login',
        json: { token: 'wrong-guess' },
        headers: { ...ORIGIN, 'x-forwarded-for': `198.51.100.${i % 30}` },
      });
    }
    const staff = await logIn(ADMIN_TOKEN, { 'x-forwarded-for': '203.0.113.50' });
    expect(staff.status).toBe(200);
    // The guessers themselves are held at 10 a minute.
    const guesser = await logIn('wrong-guess', { 'x-forwarded-for': '198.51.100.7' });
    expect(guesser.status).toBe(429);
    expect(Number(guesser.headers.get('retry-after'))).toBeGreaterThan(0);
    await resetLoginRateForTests();
  });

  it('IPv6 addresses of one /64 share a window', async () => {
    await resetLoginRateForTests();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await logIn('wrong-guess', { 'x-forwarded-for': `2001:db8:1:2::${(i + 1).toString(16)}` });
      statuses.push(r.status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const otherNet = await logIn(ADMIN_TOKEN, { 'x-forwarded-for': '2001:db8:1:3::1' });
    expect(otherNet.status).toBe(200);
    await resetLoginRateForTests();
  });
});

describe('a wrong Bearer token', () => {
  it('is 401 on every route, guest routes included; no token at all reads as a guest', async () => {
    const sessionRoute = await import('@/app/api/session/[id]/route');
    const photos = await import('@/app/api/session/[id]/photos/route');
    const made = await call(create.POST, {
      path: '/api/session/create',
      as: 'booth',
      json: { type: 'upload' },
    });
    const id = made.json.session.id as string;
    const asGuest = await call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } });
    expect(asGuest.status).toBe(200);
    for (const [name, handler] of [
      ['GET session', sessionRoute.GET],
      ['GET photos', photos.GET],
    ] as const) {
      const r = await call(handler, {
        path: `/api/session/${id}`,
        params: { id },
        as: 'not-the-token-at-all',
      });
      expect(r.status, name).toBe(401);
      expect(r.json.error.code, name).toBe('unauthorized');
    }
  });
});
