import { describe, expect, it } from 'vitest';
import * as boothMe from '@/app/api/booth/me/route';
import * as pair from '@/app/api/booth/pair/route';
import * as boothPairing from '@/app/api/booths/[id]/pairing/route';
import * as boothRoute from '@/app/api/booths/[id]/route';
import * as boothsRoute from '@/app/api/booths/route';
import * as eventBooths from '@/app/api/events/[id]/booths/route';
import * as eventRoute from '@/app/api/events/[id]/route';
import * as eventsRoute from '@/app/api/events/route';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import * as list from '@/app/api/sessions/list/route';
import { conn, run, t } from '@/db/connection';
import { clearRateLimits, findBooth, updateBoothRow } from '@/db/queries';
import { BOOTH_SEEN_EVERY_MS } from '@/lib/auth';
import { PAIR_MAX_PER_ADDRESS, startupPairing } from '@/lib/booths';
import { dbRows } from '../support/db';
import { useTestEnv } from '../support/env';
import { type CallOptions, call, photoForm } from '../support/http';
import * as img from '../support/images';

/**
 * Booths: made by the admin with a pairing code, paired with it (a single-use, 10-minute code
 * that becomes the booth's login cookie), limited to their event, revoked at once.
 */

useTestEnv();

const ORIGIN = 'http://booth.test';

async function newEvent(name = 'Party') {
  const r = await call(eventsRoute.POST, { path: '/api/events', as: 'admin', json: { name } });
  expect(r.status).toBe(201);
  return r.json.event as { id: string };
}

async function defaultEventId(): Promise<string> {
  return (await call(eventsRoute.GET, { path: '/api/events', as: 'admin' })).json.events[0].id;
}

function addBooth(eventId: string, json: unknown = { name: 'Booth A' }, as = 'admin') {
  return call(eventBooths.POST, { path: `/api/events/${eventId}/booths`, params: { id: eventId }, as, json });
}

function pairWith(code: unknown, headers: Record<string, string> = {}) {
  return call(pair.POST, { path: '/api/booth/pair', json: { code }, headers });
}

/** A new booth of the event, paired: its cookie header and ids. */
async function pairedBooth(eventId: string, name = 'Booth A') {
  const made = await addBooth(eventId, { name });
  expect(made.status).toBe(201);
  const r = await pairWith(made.json.pairing.code);
  expect(r.status).toBe(200);
  const cookie = String(r.headers.get('set-cookie')).split(';')[0] as string;
  return { cookie, boothId: made.json.booth.id as string, pairing: made.json.pairing };
}

/** A call with the paired booth's cookie (and this site's Origin, as a browser sends it). */
function asBooth(cookie: string, opts: CallOptions): CallOptions {
  return { ...opts, headers: { cookie, origin: ORIGIN, ...opts.headers } };
}

describe('POST /api/events/:id/booths', () => {
  it('makes a booth with a 6-digit pairing code and its link, valid 10 minutes', async () => {
    const e = await newEvent();
    const before = Date.now();
    const r = await addBooth(e.id, { name: ' Entrance ' });
    expect(r.status).toBe(201);
    expect(r.json.booth).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Entrance',
      event_id: e.id,
      last_seen_at: null,
      online: false,
    });
    const { code, url, expires_at } = r.json.pairing;
    expect(code).toMatch(/^\d{6}$/);
    expect(url).toBe(`http://booth.test/booth?pair=${code}`);
    const ttl = Date.parse(expires_at) - before;
    expect(ttl).toBeGreaterThan(10 * 60_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000 + 50);
    // Only the code's hash is stored.
    const rows = await dbRows('select * from booth_pairings');
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(code);
  });

  it('refuses a bad name (400), an unknown event (404), a non-admin (401/403)', async () => {
    const e = await newEvent();
    for (const json of [{}, { name: '' }, { name: 'x'.repeat(81) }, { name: 'A', extra: 1 }]) {
      const r = await addBooth(e.id, json);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
    }
    for (const id of ['0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11', 'x']) {
      const r = await addBooth(id);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('event_not_found');
    }
    expect((await addBooth(e.id, { name: 'A' }, 'booth')).status).toBe(403);
    expect((await addBooth(e.id, { name: 'A' }, 'guest')).status).toBe(401);
  });
});

describe('POST /api/booth/pair', () => {
  it('sets the booth login cookie: httpOnly, SameSite=Strict, long-lived; the code works once', async () => {
    const e = await newEvent();
    const made = await addBooth(e.id);
    const r = await pairWith(made.json.pairing.code);
    expect(r.status).toBe(200);
    expect(r.json.booth).toMatchObject({ id: made.json.booth.id, event_id: e.id, online: true });
    const setCookie = String(r.headers.get('set-cookie'));
    expect(setCookie).toMatch(/^pb_auth=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(Number(/Max-Age=(\d+)/.exec(setCookie)?.[1])).toBeGreaterThanOrEqual(90 * 24 * 3600);

    const again = await pairWith(made.json.pairing.code);
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('invalid_code');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('refuses wrong, malformed and expired codes with 401 invalid_code', async () => {
    await clearRateLimits();
    const e = await newEvent();
    const made = await addBooth(e.id);
    const code = made.json.pairing.code as string;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (const c of [wrong, '12345', 'abcdef', '', 123456]) {
      const r = await pairWith(c);
      expect(r.status).toBe(c === 123456 ? 400 : 401);
      if (r.status === 401) expect(r.json.error.code).toBe('invalid_code');
    }
    await run((await conn()).update(t.boothPairings).set({ expiresAt: new Date(Date.now() - 1) }));
    const expired = await pairWith(code);
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('invalid_code');
  });

  it('a new code ends the earlier unused one; pairing again replaces the earlier device', async () => {
    await clearRateLimits();
    const e = await newEvent();
    const made = await addBooth(e.id);
    const id = made.json.booth.id as string;
    const fresh = await call(boothPairing.POST, {
      path: `/api/booths/${id}/pairing`,
      params: { id },
      as: 'admin',
    });
    expect(fresh.status).toBe(201);
    expect(fresh.json.pairing.code).toMatch(/^\d{6}$/);
    expect(fresh.json.pairing.url).toBe(`http://booth.test/booth?pair=${fresh.json.pairing.code}`);
    if (fresh.json.pairing.code !== made.json.pairing.code) {
      expect((await pairWith(made.json.pairing.code)).status).toBe(401);
    }
    const first = await pairWith(fresh.json.pairing.code);
    expect(first.status).toBe(200);
    const firstCookie = String(first.headers.get('set-cookie')).split(';')[0] as string;
    const meOf = (cookie: string) => call(boothMe.GET, { path: '/api/booth/me', headers: { cookie } });
    expect((await meOf(firstCookie)).status).toBe(200);

    const third = await call(boothPairing.POST, {
      path: `/api/booths/${id}/pairing`,
      params: { id },
      as: 'admin',
    });
    const second = await pairWith(third.json.pairing.code);
    const secondCookie = String(second.headers.get('set-cookie')).split(';')[0] as string;
    expect((await meOf(secondCookie)).json.booth.id).toBe(id);
    expect((await meOf(firstCookie)).status).toBe(401);

    const missing = '0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11';
    const unknown = await call(boothPairing.POST, {
      path: `/api/booths/${missing}/pairing`,
      params: { id: missing },
      as: 'admin',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('booth_not_found');
  });

  it(`${PAIR_MAX_PER_ADDRESS} attempts per address, then 429 too_many_requests (the right code too)`, async () => {
    await clearRateLimits();
    const e = await newEvent();
    const made = await addBooth(e.id);
    const statuses: number[] = [];
    for (let i = 0; i < PAIR_MAX_PER_ADDRESS + 2; i++) statuses.push((await pairWith('000000')).status);
    expect(statuses.slice(0, PAIR_MAX_PER_ADDRESS).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(PAIR_MAX_PER_ADDRESS)).toEqual([429, 429]);
    const right = await pairWith(made.json.pairing.code);
    expect(right.status).toBe(429);
    expect(right.json.error.code).toBe('too_many_requests');
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    await clearRateLimits();
    expect((await pairWith(made.json.pairing.code)).status).toBe(200);
  });

  it('is refused from another site, and takes JSON only', async () => {
    await clearRateLimits();
    const e = await newEvent();
    const made = await addBooth(e.id);
    const cross = await pairWith(made.json.pairing.code, { origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    const form = await call(pair.POST, {
      path: '/api/booth/pair',
      body: `code=${made.json.pairing.code}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect((await pairWith(made.json.pairing.code, { origin: ORIGIN })).status).toBe(200);
  });
});

describe('a paired booth', () => {
  it('does what a BOOTH_TOKEN booth does, in its own event', async () => {
    await clearRateLimits();
    const e = await newEvent('Own');
    const { cookie, boothId } = await pairedBooth(e.id);

    const made = await call(
      create.POST,
      asBooth(cookie, { path: '/api/session/create', json: { type: 'download' } }),
    );
    expect(made.status).toBe(201);
    const s = made.json.session;
    expect(s).toMatchObject({ event_id: e.id, booth_id: boothId, max_photos: 5, ready_at: 3 });
    const same = await call(
      create.POST,
      asBooth(cookie, { path: '/api/session/create', json: { type: 'upload', event_id: e.id } }),
    );
    expect(same.status).toBe(201);

    const id = s.id as string;
    const up = await call(
      photos.POST,
      asBooth(cookie, {
        path: `/api/session/${id}/photos`,
        params: { id },
        body: photoForm(await img.jpeg(320, 240)),
      }),
    );
    expect(up.status).toBe(201);
    const put = await call(
      sessionRoute.PUT,
      asBooth(cookie, {
        method: 'PUT',
        path: `/api/session/${id}`,
        params: { id },
        json: { data: { a: 1 } },
      }),
    );
    expect(put.status).toBe(200);
    const composed = await call(
      compose.POST,
      asBooth(cookie, { path: `/api/session/${id}/compose`, params: { id }, json: { layout: 'single' } }),
    );
    expect(composed.status).toBe(201);
    const saved = await call(
      result.POST,
      asBooth(cookie, {
        path: `/api/session/${id}/result`,
        params: { id },
        body: photoForm(await img.jpeg(400, 300)),
      }),
    );
    expect(saved.status).toBe(201);
    expect(saved.json.session.status).toBe('ready');
    const own = await call(
      eventRoute.GET,
      asBooth(cookie, { path: `/api/events/${e.id}`, params: { id: e.id } }),
    );
    expect(own.status).toBe(200);
    expect(own.json.event.id).toBe(e.id);
    const me = await call(boothMe.GET, { path: '/api/booth/me', headers: { cookie } });
    expect(me.json).toMatchObject({ booth: { id: boothId, event_id: e.id }, event: { id: e.id } });
    const del = await call(
      sessionRoute.DELETE,
      asBooth(cookie, { method: 'DELETE', path: `/api/session/${id}`, params: { id } }),
    );
    expect(del.status).toBe(204);
  });

  it("is refused (403) on another event's sessions, that event, and every admin endpoint", async () => {
    await clearRateLimits();
    const own = await newEvent('Own');
    const other = await newEvent('Other');
    const { cookie } = await pairedBooth(own.id);
    const foreign = (
      await call(create.POST, {
        path: '/api/session/create',
        as: 'booth',
        json: { type: 'download', event_id: other.id },
      })
    ).json.session;
    const id = foreign.id as string;
    // Reading it with its link stays open, as for a guest.
    expect(
      (await call(sessionRoute.GET, asBooth(cookie, { path: `/api/session/${id}`, params: { id } }))).status,
    ).toBe(200);
    const refused = [
      await call(
        sessionRoute.PUT,
        asBooth(cookie, {
          method: 'PUT',
          path: `/api/session/${id}`,
          params: { id },
          json: { status: 'completed' },
        }),
      ),
      await call(
        sessionRoute.DELETE,
        asBooth(cookie, { method: 'DELETE', path: `/api/session/${id}`, params: { id } }),
      ),
      await call(
        photos.POST,
        asBooth(cookie, {
          path: `/api/session/${id}/photos`,
          params: { id },
          body: photoForm(await img.jpeg(320, 240)),
        }),
      ),
      await call(
        result.POST,
        asBooth(cookie, {
          path: `/api/session/${id}/result`,
          params: { id },
          body: photoForm(await img.jpeg(320, 240)),
        }),
      ),
      await call(
        compose.POST,
        asBooth(cookie, { path: `/api/session/${id}/compose`, params: { id }, json: {} }),
      ),
      await call(
        create.POST,
        asBooth(cookie, { path: '/api/session/create', json: { type: 'upload', event_id: other.id } }),
      ),
      await call(
        eventRoute.GET,
        asBooth(cookie, { path: `/api/events/${other.id}`, params: { id: other.id } }),
      ),
      await call(eventsRoute.GET, asBooth(cookie, { path: '/api/events' })),
      await call(boothsRoute.GET, asBooth(cookie, { path: '/api/booths' })),
      await call(list.GET, asBooth(cookie, { path: '/api/sessions/list' })),
      await call(
        eventRoute.PUT,
        asBooth(cookie, {
          method: 'PUT',
          path: `/api/events/${own.id}`,
          params: { id: own.id },
          json: { name: 'X' },
        }),
      ),
    ];
    expect(refused.map((r) => r.status)).toEqual(refused.map(() => 403));
    expect(refused.every((r) => r.json.error.code === 'forbidden')).toBe(true);
    // Nothing changed.
    const after = await call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } });
    expect(after.json.session).toMatchObject({ status: 'pending', photo_count: 0, has_result: false });
  });

  it('is refused at once when deleted; its sessions stay, with booth_id null', async () => {
    await clearRateLimits();
    const e = await newEvent();
    const { cookie, boothId } = await pairedBooth(e.id);
    const s = (
      await call(create.POST, asBooth(cookie, { path: '/api/session/create', json: { type: 'upload' } }))
    ).json.session;
    const del = await call(boothRoute.DELETE, {
      method: 'DELETE',
      path: `/api/booths/${boothId}`,
      params: { id: boothId },
      as: 'admin',
    });
    expect(del.status).toBe(204);
    const after = await call(
      create.POST,
      asBooth(cookie, { path: '/api/session/create', json: { type: 'upload' } }),
    );
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('unauthorized');
    const kept = await call(sessionRoute.GET, { path: `/api/session/${s.id}`, params: { id: s.id } });
    expect(kept.json.session).toMatchObject({ id: s.id, event_id: e.id, booth_id: null });
    const again = await call(boothRoute.DELETE, {
      method: 'DELETE',
      path: `/api/booths/${boothId}`,
      params: { id: boothId },
      as: 'admin',
    });
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('booth_not_found');
  });

  it('acts for its new event at once when the admin moves it', async () => {
    await clearRateLimits();
    const a = await newEvent('A');
    const b = await newEvent('B');
    const { cookie, boothId } = await pairedBooth(a.id);
    const moved = await call(boothRoute.PUT, {
      method: 'PUT',
      path: `/api/booths/${boothId}`,
      params: { id: boothId },
      as: 'admin',
      json: { event_id: b.id, name: 'Moved' },
    });
    expect(moved.status).toBe(200);
    expect(moved.json.booth).toMatchObject({ id: boothId, name: 'Moved', event_id: b.id });
    const s = await call(
      create.POST,
      asBooth(cookie, { path: '/api/session/create', json: { type: 'upload' } }),
    );
    expect(s.json.session.event_id).toBe(b.id);

    const bad = await call(boothRoute.PUT, {
      method: 'PUT',
      path: `/api/booths/${boothId}`,
      params: { id: boothId },
      as: 'admin',
      json: { event_id: '0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11' },
    });
    expect(bad.status).toBe(404);
    expect(bad.json.error.code).toBe('event_not_found');
    const badName = await call(boothRoute.PUT, {
      method: 'PUT',
      path: `/api/booths/${boothId}`,
      params: { id: boothId },
      as: 'admin',
      json: { name: '' },
    });
    expect(badName.status).toBe(400);
    const unknown = await call(boothRoute.PUT, {
      method: 'PUT',
      path: '/api/booths/nope',
      params: { id: 'nope' },
      as: 'admin',
      json: { name: 'X' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('booth_not_found');
  });

  it('goes when its event is deleted, login included', async () => {
    await clearRateLimits();
    const e = await newEvent();
    const { cookie } = await pairedBooth(e.id);
    expect(
      (
        await call(eventRoute.DELETE, {
          method: 'DELETE',
          path: `/api/events/${e.id}`,
          params: { id: e.id },
          as: 'admin',
        })
      ).status,
    ).toBe(204);
    expect((await call(boothMe.GET, { path: '/api/booth/me', headers: { cookie } })).status).toBe(401);
  });
});

describe('GET /api/booths', () => {
  it('lists booths with last_seen_at and online, throttled; ?event_id filters', async () => {
    await clearRateLimits();
    const e = await newEvent();
    const made = await addBooth(e.id, { name: 'Never paired' });
    const { cookie, boothId } = await pairedBooth(e.id, 'Paired');
    const longAgo = Date.now() - 5 * 60_000;
    expect(await updateBoothRow(boothId, { lastSeenAt: new Date(longAgo) })).toBe(true);

    const listed = await call(boothsRoute.GET, { path: `/api/booths?event_id=${e.id}`, as: 'admin' });
    expect(listed.status).toBe(200);
    expect(listed.json.booths).toEqual([
      { id: made.json.booth.id, name: 'Never paired', event_id: e.id, last_seen_at: null, online: false },
      {
        id: boothId,
        name: 'Paired',
        event_id: e.id,
        last_seen_at: new Date(longAgo).toISOString(),
        online: false,
      },
    ]);

    // A request of the booth marks it seen (at most every 15 s).
    await call(boothMe.GET, { path: '/api/booth/me', headers: { cookie } });
    const seenAt = async () => (await findBooth(boothId))?.lastSeenAt?.getTime();
    const seen = await seenAt();
    expect(seen).toBeGreaterThan(Date.now() - 5_000);
    await call(boothMe.GET, { path: '/api/booth/me', headers: { cookie } });
    expect(await seenAt()).toBe(seen);
    expect(BOOTH_SEEN_EVERY_MS).toBe(15_000);
    const online = await call(boothsRoute.GET, { path: '/api/booths', as: 'admin' });
    expect(online.json.booths.find((b: { id: string }) => b.id === boothId)).toMatchObject({ online: true });

    expect((await call(boothsRoute.GET, { path: '/api/booths?event_id=nope', as: 'admin' })).status).toBe(
      404,
    );
    expect((await call(boothsRoute.GET, { path: '/api/booths', as: 'booth' })).status).toBe(403);
  });
});

describe('the start-up pairing link of a fresh install', () => {
  it('makes "Booth 1" for the default event, renews its code until it is paired, then stops', async () => {
    await clearRateLimits();
    const first = await startupPairing('http://192.168.1.20:3000');
    expect(first?.booth).toMatchObject({ name: 'Booth 1', eventId: await defaultEventId() });
    expect(first?.pairing.url).toBe(`http://192.168.1.20:3000/booth?pair=${first?.pairing.code}`);
    const second = await startupPairing('http://192.168.1.20:3000');
    expect(second?.booth.id).toBe(first?.booth.id);
    if (second?.pairing.code !== first?.pairing.code)
      expect((await pairWith(first?.pairing.code)).status).toBe(401);
    expect((await pairWith(second?.pairing.code)).status).toBe(200);
    expect(await startupPairing('http://192.168.1.20:3000')).toBeNull();
  });
});
