import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as login from '@/app/api/auth/login/route';
import * as logout from '@/app/api/auth/logout/route';
import * as health from '@/app/api/health/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import * as adminEvents from '@/app/api/sessions/events/route';
import * as list from '@/app/api/sessions/list/route';
import * as stats from '@/app/api/sessions/stats/route';
import { insertSession, transaction } from '@/db/queries';
import { defaultEvent } from '@/lib/event-rules';
import { useTestEnv } from '../support/env';
import { buildRequest, call } from '../support/http';

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
    const s = await createSession({ type: 'upload', ttl_minutes: 0.02 });
    await new Promise((r) => setTimeout(r, 1300));
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
    const gone = await createSession({ type: 'upload', ttl_minutes: 0.02 });
    await new Promise((r) => setTimeout(r, 1300));
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

describe('GET /api/sessions/list paging (2,000 sessions of 16 KiB data)', () => {
  type Item = { id: string; type: string; created_at: string; data?: unknown; has_data: boolean };
  const mine = new Map<string, 'upload' | 'download'>();
  const base = Date.now() - 60_000;

  beforeAll(async () => {
    const data = { notes: 'x'.repeat(16 * 1024 - 20) };
    const event = await defaultEvent();
    await transaction(async () => {
      for (let i = 0; i < 2000; i++) {
        const id = randomUUID();
        const type = i % 4 === 0 ? 'download' : 'upload';
        // Five sessions share each millisecond: the cursor must tell them apart by id.
        const createdAt = new Date(base - Math.floor(i / 5));
        await insertSession({
          id,
          type,
          status: 'pending',
          createdAt,
          updatedAt: createdAt,
          expiresAt: new Date(Date.now() + 60 * 60_000),
          data,
          eventId: event.id,
          maxPhotos: event.maxPhotos,
          readyAt: event.readyAt,
        });
        mine.set(id, type);
      }
    });
  });

  async function allPages(query: string) {
    const pages: { bytes: number; sessions: Item[] }[] = [];
    let before: string | null = null;
    do {
      const q = `${query}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
      const r = await call(list.GET, { path: `/api/sessions/list?${q}`, as: 'admin' });
      expect(r.status).toBe(200);
      pages.push({ bytes: r.body.length, sessions: r.json.sessions });
      before = r.json.next_before;
      expect(pages.length).toBeLessThan(200);
    } while (before);
    return pages;
  }

  function expectNewestFirst(items: Item[]) {
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1] as Item, items[i] as Item];
      expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id)).toBe(true);
    }
  }

  it('answers a small first page without data, with a cursor for the next', async () => {
    const r = await call(list.GET, { path: '/api/sessions/list', as: 'admin' });
    expect(r.status).toBe(200);
    expect(r.json.sessions).toHaveLength(50);
    // Was 32 MB: every session with its data.
    expect(r.body.length).toBeLessThan(40 * 1024);
    expect(r.json.sessions.some((s: Item) => 'data' in s)).toBe(false);
    expect(typeof r.json.next_before).toBe('string');
    const big = await call(list.GET, { path: '/api/sessions/list?limit=200', as: 'admin' });
    const item = (big.json.sessions as Item[]).find((s) => mine.has(s.id)) as Item;
    expect(item).toMatchObject({ has_data: true, photo_count: 0, max_photos: 5, ready_at: 3 });
    // The data is one GET away.
    const one = await getSession(item.id);
    expect(JSON.stringify(one.json.session.data).length).toBeGreaterThan(16_000);
  });

  it('visits every session exactly once, newest first, in pages of at most 200', async () => {
    const pages = await allPages('limit=200');
    for (const p of pages) {
      expect(p.sessions.length).toBeLessThanOrEqual(200);
      expect(p.bytes).toBeLessThan(160 * 1024);
    }
    const items = pages.flatMap((p) => p.sessions);
    const ids = items.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => mine.has(id))).toHaveLength(2000);
    expectNewestFirst(items);
  });

  it('pages filtered lists too', async () => {
    const pages = await allPages('type=download&status=pending&limit=77');
    const items = pages.flatMap((p) => p.sessions);
    expect(items.every((s) => s.type === 'download')).toBe(true);
    const seen = items.filter((s) => mine.has(s.id)).map((s) => s.id);
    expect(new Set(seen).size).toBe(500);
    expect(seen.length).toBe(500);
    expectNewestFirst(items);
  });

  it('a session created meanwhile neither shifts nor repeats a row of the next page', async () => {
    const first = await call(list.GET, { path: '/api/sessions/list?limit=10', as: 'admin' });
    await createSession();
    const second = await call(list.GET, {
      path: `/api/sessions/list?limit=10&before=${first.json.next_before}`,
      as: 'admin',
    });
    const again = await call(list.GET, { path: '/api/sessions/list?limit=21', as: 'admin' });
    const ids = (r: { json: { sessions: Item[] } }) => r.json.sessions.map((s) => s.id);
    expect([...ids(first), ...ids(second)]).toEqual(ids(again).slice(1));
  });

  it.each([
    'limit=0',
    'limit=201',
    'limit=ten',
    'before=not-a-cursor',
    `before=${Buffer.from('12.x').toString('base64url')}`,
  ])('400 invalid_query for ?%s', async (q) => {
    const r = await call(list.GET, { path: `/api/sessions/list?${q}`, as: 'admin' });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_query');
  });
});

describe('GET /api/sessions/events (the admin stream)', () => {
  it('needs the admin role', async () => {
    expect((await call(adminEvents.GET, { path: '/api/sessions/events' })).status).toBe(401);
    expect((await call(adminEvents.GET, { path: '/api/sessions/events', as: 'booth' })).status).toBe(403);
  });

  it('tells which sessions changed, a burst in one event per half second, and stops on abort', async () => {
    const abort = new AbortController();
    // Held to the end: undici's request.signal follows the controller only while the Request lives.
    const request = buildRequest({ path: '/api/sessions/events', as: 'admin', signal: abort.signal });
    const response = await adminEvents.GET(request, { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    type Changed = { ids: string[]; sessions: { id: string; status: string; has_data: boolean }[] };
    const events: { event: string; data: Changed; at: number }[] = [];
    let buffer = '';
    const pump = (async () => {
      const dec = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += dec.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data), at: Date.now() });
        }
      }
    })();
    const waitFor = async (n: number) => {
      for (let t = 0; events.length < n && t < 100; t++) await new Promise((r) => setTimeout(r, 20));
      expect(events.length).toBeGreaterThanOrEqual(n);
    };

    const one = await createSession({ type: 'upload', data: { table: 'A7' } });
    await waitFor(1);
    expect(events[0]).toMatchObject({ event: 'changed', data: { ids: [one.id] } });
    const item = events[0]?.data.sessions[0];
    expect(item).toMatchObject({ id: one.id, status: 'pending', has_data: true });
    expect(item).not.toHaveProperty('data');

    // A burst: ten new sessions and a change and a delete of the first come as one event.
    const burstStart = Date.now();
    const ten = [];
    for (let i = 0; i < 10; i++) ten.push(await createSession({ type: 'download' }));
    expect((await putSession(one.id, { status: 'ready' }, 'booth')).status).toBe(200);
    expect((await deleteSession(ten[0].id, 'booth')).status).toBe(204);
    await waitFor(2);
    await new Promise((r) => setTimeout(r, 700));
    expect(events).toHaveLength(2);
    const burst = events[1] as { data: Changed; at: number };
    expect(burst.at - (events[0]?.at ?? 0)).toBeGreaterThanOrEqual(450);
    expect(burst.at - burstStart).toBeLessThan(1000);
    expect(new Set(burst.data.ids)).toEqual(new Set([one.id, ...ten.map((s) => s.id)]));
    const now = new Map(burst.data.sessions.map((s) => [s.id, s]));
    expect(now.get(one.id)?.status).toBe('ready');
    expect(now.has(ten[0].id)).toBe(false);
    expect(now.size).toBe(10);

    abort.abort();
    expect(request.signal.aborted).toBe(true);
    await pump;
    // After the abort nothing is queued for it any more.
    await createSession();
    await new Promise((r) => setTimeout(r, 600));
    expect(events).toHaveLength(2);
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
      url: 'https://booth.test/api/auth/login',
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

describe('limits of what a session may hold', () => {
  const deep = (levels: number) => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = { a: v };
    return v;
  };

  it('data nested 7,000 deep (14 KB, under the size limit) is 400 invalid_data, never a 500', async () => {
    // Built as text: JSON.stringify itself cannot write it (that was the 500).
    const body = `{"type":"upload","data":${'{"a":'.repeat(7_000)}1${'}'.repeat(7_000)}}`;
    expect(body.length).toBeLessThan(64 * 1024);
    const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: body });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_data');
    expect(r.json.error.message).toMatch(/32 levels/);
    const s = await createSession();
    const put = await putSession(s.id, JSON.stringify({ data: deep(40) }), 'booth');
    expect(put.status).toBe(400);
    expect(put.json.error.code).toBe('invalid_data');
    expect((await getSession(s.id)).json.session.data).toEqual({});
  });

  it('data 32 levels deep is fine', async () => {
    const s = await createSession({ type: 'upload', data: deep(31) as Record<string, unknown> });
    expect(JSON.stringify(s.data).split('{').length - 1).toBe(31);
  });

  it('a lifetime under one second is refused (1e-309 would be born expired)', async () => {
    for (const ttl of [1e-309, 0.001]) {
      const r = await call(create.POST, {
        path: '/api/session/create',
        as: 'booth',
        json: { type: 'upload', ttl_minutes: ttl },
      });
      expect(r.status, String(ttl)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
      expect(r.json.error.message).toMatch(/ttl_minutes/);
    }
  });
});
