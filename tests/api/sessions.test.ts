import { describe, expect, it } from 'vitest';
import * as login from '@/app/api/auth/login/route';
import * as logout from '@/app/api/auth/logout/route';
import * as health from '@/app/api/health/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import * as list from '@/app/api/sessions/list/route';
import * as stats from '@/app/api/sessions/stats/route';
import { resetLoginRateForTests } from '@/lib/auth';
import { useTestEnv } from '../support/env';
import { call } from '../support/http';

useTestEnv();

const getSession = (id: string) => call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } });
const putSession = (id: string, json: unknown, as?: string) =>
  call(sessionRoute.PUT, { method: 'PUT', path: `/api/session/${id}`, params: { id }, as, json });
const deleteSession = (id: string, as?: string) =>
  call(sessionRoute.DELETE, { method: 'DELETE', path: `/api/session/${id}`, params: { id }, as });

async function createSession(body: Record<string, unknown> = { type: 'upload' }) {
  const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: body });
  expect(r.status).toBe(201);
  return r.json.session;
}

describe('POST /api/session/create', () => {
  it('creates an upload session with the documented shape and defaults', async () => {
    const before = Date.now();
    const s = await createSession({ type: 'upload', data: { event: 'Anna & Ivan' } });
    expect(s).toMatchObject({
      type: 'upload',
      status: 'pending',
      telegram_user_id: null,
      telegram_username: null,
      data: { event: 'Anna & Ivan' },
      photo_count: 0,
      max_photos: 5,
      ready_at: 3,
      has_result: false,
    });
    expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s.url).toBe(`http://booth.test/s/${s.id}`);
    const lifetime = Date.parse(s.expires_at) - Date.parse(s.created_at);
    expect(lifetime).toBe(30 * 60_000);
    expect(Date.parse(s.created_at)).toBeGreaterThanOrEqual(before - 5);
    expect(s.created_at).toMatch(/Z$/);
  });

  it('accepts telegram fields and a custom ttl', async () => {
    const s = await createSession({
      type: 'download',
      telegram_user_id: 123456789,
      telegram_username: 'guest',
      ttl_minutes: 2,
    });
    expect(s).toMatchObject({ type: 'download', telegram_user_id: 123456789, telegram_username: 'guest' });
    expect(Date.parse(s.expires_at) - Date.parse(s.created_at)).toBe(120_000);
  });

  it.each([
    [{}, 'invalid_type'],
    [{ type: 'video' }, 'invalid_type'],
    [{ type: 5 }, 'invalid_type'],
    [{ type: 'upload', data: [1, 2] }, 'invalid_data'],
    [{ type: 'upload', data: 'text' }, 'invalid_data'],
    [{ type: 'upload', data: null }, 'invalid_data'],
    [{ type: 'upload', ttl_minutes: -1 }, 'invalid_request'],
    [{ type: 'upload', ttl_minutes: 'ten' }, 'invalid_request'],
    [{ type: 'upload', telegram_user_id: 'abc' }, 'invalid_request'],
    [[1, 2], 'invalid_request'],
  ])('refuses %j with 400 %s', async (body, code) => {
    const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: body });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(code);
    expect(typeof r.json.error.message).toBe('string');
  });

  it('refuses malformed JSON with 400 invalid_json', async () => {
    const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: '{"type": "upl' });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_json');
  });

  it('refuses data over 16 KiB with 413 and creates nothing', async () => {
    const adminBefore = await call(list.GET, { path: '/api/sessions/list', as: 'admin' });
    const r = await call(create.POST, {
      path: '/api/session/create',
      as: 'booth',
      json: { type: 'upload', data: { blob: 'x'.repeat(17 * 1024) } },
    });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('data_too_large');
    const adminAfter = await call(list.GET, { path: '/api/sessions/list', as: 'admin' });
    expect(adminAfter.json.sessions.length).toBe(adminBefore.json.sessions.length);
  });

  it('needs the booth role: 401 without or with a wrong token', async () => {
    const none = await call(create.POST, { path: '/api/session/create', json: { type: 'upload' } });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('unauthorized');
    const wrong = await call(create.POST, {
      path: '/api/session/create',
      as: 'not-the-token',
      json: { type: 'upload' },
    });
    expect(wrong.status).toBe(401);
  });

  it('the admin token may do what the booth may', async () => {
    const r = await call(create.POST, { path: '/api/session/create', as: 'admin', json: { type: 'upload' } });
    expect(r.status).toBe(201);
  });
});

describe('GET /api/session/:id', () => {
  it('returns the session to a guest holding the id', async () => {
    const s = await createSession();
    const r = await getSession(s.id);
    expect(r.status).toBe(200);
    expect(r.json.session).toEqual(s);
  });

  it.each([
    'not-a-uuid',
    '../../etc/passwd',
    '..%2F..%2Ftokens.json',
    '00000000-0000-4000-8000-000000000000',
    '',
  ])('404 session_not_found for %j', async (id) => {
    const r = await call(sessionRoute.GET, {
      path: `/api/session/${encodeURIComponent(id)}`,
      params: { id },
    });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('session_not_found');
  });

  it('410 session_expired with the expired session in the body', async () => {
    const s = await createSession({ type: 'upload', ttl_minutes: 0.001 });
    await new Promise((r) => setTimeout(r, 120));
    const r = await getSession(s.id);
    expect(r.status).toBe(410);
    expect(r.json.error.code).toBe('session_expired');
    expect(r.json.session).toMatchObject({ id: s.id, status: 'expired' });
  });
});

describe('PUT /api/session/:id', () => {
  it('updates status, data, telegram fields and extends the lifetime', async () => {
    const s = await createSession();
    const r = await putSession(
      s.id,
      { status: 'completed', data: { layout: 'strip' }, telegram_username: 'anna', extend_minutes: 10 },
      'booth',
    );
    expect(r.status).toBe(200);
    expect(r.json.session).toMatchObject({
      status: 'completed',
      data: { layout: 'strip' },
      telegram_username: 'anna',
    });
    expect(Date.parse(r.json.session.expires_at) - Date.parse(s.expires_at)).toBe(10 * 60_000);
    expect(Date.parse(r.json.session.updated_at)).toBeGreaterThanOrEqual(Date.parse(s.updated_at));
  });

  it('400 invalid_status for an unknown status and changes nothing', async () => {
    const s = await createSession();
    const r = await putSession(s.id, { status: 'done', data: { changed: true } }, 'booth');
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_status');
    const after = await getSession(s.id);
    expect(after.json.session).toEqual(s);
  });

  it('refuses unknown fields and wrong types with 400', async () => {
    const s = await createSession();
    for (const json of [{ colour: 'red' }, { extend_minutes: 'soon' }, { data: [1] }]) {
      const r = await putSession(s.id, json, 'booth');
      expect(r.status).toBe(400);
    }
  });

  it('a guest may not update: 401', async () => {
    const s = await createSession();
    const r = await putSession(s.id, { status: 'ready' });
    expect(r.status).toBe(401);
  });

  it('status "expired" ends the session at once; an expired session cannot be revived (410)', async () => {
    const s = await createSession();
    const r = await putSession(s.id, { status: 'expired' }, 'booth');
    expect(r.status).toBe(200);
    expect(r.json.session.status).toBe('expired');
    const revive = await putSession(s.id, { status: 'pending', extend_minutes: 30 }, 'booth');
    expect(revive.status).toBe(410);
    expect(revive.json.error.code).toBe('session_expired');
    const get = await getSession(s.id);
    expect(get.status).toBe(410);
  });
});

describe('DELETE /api/session/:id', () => {
  it('deletes (204), then the session is gone (404)', async () => {
    const s = await createSession();
    const r = await deleteSession(s.id, 'booth');
    expect(r.status).toBe(204);
    const get = await getSession(s.id);
    expect(get.status).toBe(404);
    const again = await deleteSession(s.id, 'booth');
    expect(again.status).toBe(404);
  });

  it('a guest may not delete: 401, and the session stays', async () => {
    const s = await createSession();
    const r = await deleteSession(s.id);
    expect(r.status).toBe(401);
    const get = await getSession(s.id);
    expect(get.status).toBe(200);
  });
});

describe('GET /api/sessions/list and /stats', () => {
  it('lists active sessions newest first, filters by type and status, hides expired ones', async () => {
    const a = await createSession({ type: 'upload' });
    await new Promise((r) => setTimeout(r, 5));
    const b = await createSession({ type: 'download' });
    const gone = await createSession({ type: 'upload', ttl_minutes: 0.001 });
    await new Promise((r) => setTimeout(r, 120));
    const all = await call(list.GET, { path: '/api/sessions/list', as: 'admin' });
    expect(all.status).toBe(200);
    const ids = all.json.sessions.map((s: { id: string }) => s.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    expect(ids).not.toContain(gone.id);
    const downloads = await call(list.GET, { path: '/api/sessions/list?type=download', as: 'admin' });
    expect(downloads.json.sessions.every((s: { type: string }) => s.type === 'download')).toBe(true);
    expect(downloads.json.sessions.map((s: { id: string }) => s.id)).toContain(b.id);
    const pending = await call(list.GET, {
      path: '/api/sessions/list?status=pending&type=upload',
      as: 'admin',
    });
    expect(pending.json.sessions.map((s: { id: string }) => s.id)).toContain(a.id);
  });

  it('400 invalid_query for an unknown filter value', async () => {
    const r = await call(list.GET, { path: '/api/sessions/list?type=video', as: 'admin' });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_query');
  });

  it('needs the admin role: guest 401, booth 403', async () => {
    expect((await call(list.GET, { path: '/api/sessions/list' })).status).toBe(401);
    const booth = await call(list.GET, { path: '/api/sessions/list', as: 'booth' });
    expect(booth.status).toBe(403);
    expect(booth.json.error.code).toBe('forbidden');
    expect((await call(stats.GET, { path: '/api/sessions/stats', as: 'booth' })).status).toBe(403);
  });

  it('stats count active sessions', async () => {
    const before = (await call(stats.GET, { path: '/api/sessions/stats', as: 'admin' })).json;
    await createSession();
    const after = (await call(stats.GET, { path: '/api/sessions/stats', as: 'admin' })).json;
    expect(after.active_sessions).toBe(before.active_sessions + 1);
  });
});

describe('auth', () => {
  it('login with the booth token sets an httpOnly SameSite=Strict cookie that works', async () => {
    const r = await call(login.POST, {
      path: '/api/auth/login',
      json: { token: 'test-booth-token-0123456789' },
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ role: 'booth' });
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const value = cookie.split(';')[0] as string;
    const created = await call(create.POST, {
      path: '/api/session/create',
      headers: { cookie: value, origin: 'http://booth.test', host: 'booth.test' },
      json: { type: 'upload' },
    });
    expect(created.status).toBe(201);
    // The same cookie on a cross-site POST grants nothing.
    const cross = await call(create.POST, {
      path: '/api/session/create',
      headers: { cookie: value, origin: 'http://evil.example', host: 'booth.test' },
      json: { type: 'upload' },
    });
    expect(cross.status).toBe(403);
    // A booth cookie is not an admin cookie.
    const adminOnly = await call(list.GET, { path: '/api/sessions/list', headers: { cookie: value } });
    expect(adminOnly.status).toBe(403);
  });

  it('login with the admin token answers role admin; the cookie is Secure over https', async () => {
    const r = await call(login.POST, {
      path: '/api/auth/login',
      json: { token: 'test-admin-token-0123456789' },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(r.json).toEqual({ role: 'admin' });
    expect(r.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('a wrong token is 401 invalid_token; a forged cookie grants nothing', async () => {
    const r = await call(login.POST, { path: '/api/auth/login', json: { token: 'guess' } });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('invalid_token');
    const forged = await call(list.GET, {
      path: '/api/sessions/list',
      headers: { cookie: 'pb_auth=admin.AAAA' },
    });
    expect(forged.status).toBe(401);
  });

  it('logout clears the cookie', async () => {
    const r = await call(logout.POST, { path: '/api/auth/logout', json: {} });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });

  it('login attempts are rate-limited per client (429 with Retry-After)', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.9' };
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const r = await call(login.POST, { path: '/api/auth/login', json: { token: 'wrong' }, headers });
      last = r.status;
      if (r.status === 429) {
        expect(r.json.error.code).toBe('too_many_requests');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        break;
      }
    }
    expect(last).toBe(429);
    // Even the right token waits out the window from that address.
    const right = await call(login.POST, {
      path: '/api/auth/login',
      json: { token: 'test-booth-token-0123456789' },
      headers,
    });
    expect(right.status).toBe(429);
  });
});

describe('auth hardening', () => {
  it('a malformed cookie is no credential (401), never a 500', async () => {
    const r = await call(create.POST, {
      path: '/api/session/create',
      headers: { cookie: 'pb_auth=%zz' },
      json: { type: 'upload' },
    });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('unauthorized');
  });

  it('changing X-Forwarded-For on every try does not escape the login limit', async () => {
    resetLoginRateForTests();
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) {
      const r = await call(login.POST, {
        path: '/api/auth/login',
        json: { token: 'wrong' },
        headers: { 'x-forwarded-for': `10.0.${Math.floor(i / 250)}.${i % 250}` },
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 60).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(60).every((s) => s === 429)).toBe(true);
    resetLoginRateForTests();
  });
});

describe('methods a route does not have', () => {
  // server.mjs answers them with the one JSON 405 and its Allow header before Next
  // (tests/load/bad-input.test.ts checks every route over HTTP): routes export only what they do.
  it('are not exported by the route', () => {
    expect(Object.keys(create).filter((k) => /^[A-Z]+$/.test(k))).toEqual(['POST']);
    expect(
      Object.keys(sessionRoute)
        .filter((k) => /^[A-Z]+$/.test(k))
        .sort(),
    ).toEqual(['DELETE', 'GET', 'PUT']);
  });
});

describe('GET /api/health', () => {
  it('answers ok', async () => {
    const r = await call(health.GET as never, { path: '/api/health' });
    expect(r.json).toEqual({ ok: true });
  });
});
