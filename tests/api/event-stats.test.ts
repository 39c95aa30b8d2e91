import { afterEach, describe, expect, it, vi } from 'vitest';
import { hourSeries } from '@/app/admin/event-stats';
import * as eventRoute from '@/app/api/events/[id]/route';
import * as stats from '@/app/api/events/[id]/stats/route';
import * as eventsRoute from '@/app/api/events/route';
import * as pictureImage from '@/app/api/pictures/[token]/image/route';
import * as pictureRoute from '@/app/api/pictures/[token]/route';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as print from '@/app/api/session/[id]/print/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import { cleanupExpired } from '@/lib/cleanup';
import { EVENT_STAT_FIELDS } from '@/lib/shared/event-stats';
import { useTestEnv } from '../support/env';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';

/**
 * Event statistics: every counter moves when its action happens, they outlive the session sweep,
 * by_hour buckets by UTC hour, the CSV export, and who may read them.
 */

useTestEnv();
const HOUR = 3_600_000;

const newEvent = async (retention_days = 7) => {
  const r = await call(eventsRoute.POST, {
    path: '/api/events',
    as: 'admin',
    json: { name: 'Stats party', retention_days },
  });
  expect(r.status).toBe(201);
  return r.json.event.id as string;
};
const getStats = async (id: string) => {
  const r = await call(stats.GET, { path: `/api/events/${id}/stats`, params: { id }, as: 'admin' });
  expect(r.status).toBe(200);
  return r.json.stats;
};
const createSession = async (event_id: string, type: 'upload' | 'download' = 'upload') => {
  const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: { type, event_id } });
  expect(r.status).toBe(201);
  return r.json.session as { id: string };
};
const upload = async (id: string, hue: number) => {
  const r = await call(photos.POST, {
    path: `/api/session/${id}/photos`,
    params: { id },
    body: photoForm(await img.jpeg(800, 600, hue)),
  });
  expect(r.status).toBe(201);
};
const composeIt = async (id: string) => {
  const r = await call(compose.POST, {
    path: `/api/session/${id}/compose`,
    params: { id },
    as: 'booth',
    json: { layout: 'grid' },
  });
  expect(r.status).toBe(201);
  return r.json.session as { id: string; picture_url: string | null };
};
const tokenOf = (url: string | null) => (url ?? '').split('/p/')[1] as string;
const zeros = Object.fromEntries(EVENT_STAT_FIELDS.map((f) => [f, 0]));

afterEach(() => {
  vi.useRealTimers();
});

describe('GET /api/events/:id/stats', () => {
  it('a new event has every counter at 0 and no hours', async () => {
    const id = await newEvent();
    expect(await getStats(id)).toEqual({ ...zeros, by_hour: [] });
  });

  it('every counter moves when its action happens, and only then', async () => {
    const id = await newEvent();
    const s = await createSession(id);
    expect(await getStats(id)).toMatchObject({ ...zeros, sessions: 1 });

    await upload(s.id, 10);
    await upload(s.id, 200);
    expect(await getStats(id)).toMatchObject({ ...zeros, sessions: 1, photos_uploaded: 2 });

    const composed = await composeIt(s.id);
    const token = tokenOf(composed.picture_url);
    expect(token).toHaveLength(32);
    expect(await getStats(id)).toMatchObject({ ...zeros, sessions: 1, photos_uploaded: 2, pictures: 1 });

    // A take-home open: the picture read by its link. The image itself shown inline is not one.
    expect((await call(pictureRoute.GET, { path: `/api/pictures/${token}`, params: { token } })).status).toBe(
      200,
    );
    const inline = await call(pictureImage.GET, { path: `/api/pictures/${token}/image`, params: { token } });
    expect(inline.status).toBe(200);
    expect(await getStats(id)).toMatchObject({ take_home_opens: 1, downloads: 0 });

    // Downloads: the picture as an attachment, and the session's result as an attachment.
    const dl = await call(pictureImage.GET, {
      path: `/api/pictures/${token}/image?download=1`,
      params: { token },
    });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toContain('attachment');
    const rdl = await call(result.GET, {
      path: `/api/session/${s.id}/result?download=1`,
      params: { id: s.id },
    });
    expect(rdl.status).toBe(200);
    // A revalidation that sends nothing (304) is not another download.
    const etag = dl.headers.get('etag') ?? '';
    const again = await call(pictureImage.GET, {
      path: `/api/pictures/${token}/image?download=1`,
      params: { token },
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(await getStats(id)).toMatchObject({ take_home_opens: 1, downloads: 2 });

    // A print from the booth.
    const p = await call(print.POST, {
      path: `/api/session/${s.id}/print`,
      params: { id: s.id },
      as: 'booth',
    });
    expect(p.status).toBe(204);
    expect(await getStats(id)).toEqual({
      sessions: 1,
      photos_uploaded: 2,
      pictures: 1,
      take_home_opens: 1,
      downloads: 2,
      prints: 1,
      telegram_deliveries: 0,
      by_hour: [expect.objectContaining({ sessions: 1, pictures: 1 })],
    });
  });

  it("counts only the event's own things: another event's activity does not move it", async () => {
    const a = await newEvent();
    const b = await newEvent();
    await createSession(b);
    await createSession(b);
    expect(await getStats(a)).toMatchObject({ sessions: 0 });
    expect(await getStats(b)).toMatchObject({ sessions: 2 });
  });

  it('an event that keeps no pictures counts the session and photos but no picture', async () => {
    const id = await newEvent(0);
    const s = await createSession(id);
    await upload(s.id, 30);
    const composed = await composeIt(s.id);
    expect(composed.picture_url).toBeNull();
    expect(await getStats(id)).toMatchObject({ sessions: 1, photos_uploaded: 1, pictures: 0 });
  });

  it('survives the session sweep: the counts stay after sessions and photos are gone', async () => {
    const id = await newEvent();
    const s = await createSession(id);
    await upload(s.id, 60);
    await upload(s.id, 120);
    await composeIt(s.id);
    const before = await getStats(id);
    expect(before).toMatchObject({ sessions: 1, photos_uploaded: 2, pictures: 1 });

    const swept = await cleanupExpired(new Date(Date.now() + 2 * HOUR));
    expect(swept.deleted_sessions).toBeGreaterThanOrEqual(1);
    expect(
      (await call(sessionRoute.GET, { path: `/api/session/${s.id}`, params: { id: s.id } })).status,
    ).toBe(404);
    expect(await getStats(id)).toEqual(before);
  });

  it('by_hour buckets sessions and pictures by UTC hour, oldest first', async () => {
    const id = await newEvent();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-20T18:59:59.000Z'));
    await createSession(id, 'download');
    vi.setSystemTime(new Date('2026-06-20T19:00:00.000Z'));
    const s = await createSession(id, 'download');
    await createSession(id, 'download');
    const saved = await call(result.POST, {
      path: `/api/session/${s.id}/result`,
      params: { id: s.id },
      as: 'booth',
      body: photoForm(await img.jpeg(1200, 800, 90)),
    });
    expect(saved.status).toBe(201);
    vi.setSystemTime(new Date('2026-06-20T22:50:00.000Z'));
    const third = await createSession(id, 'upload');
    // A print alone makes a row in the CSV but no chart hour.
    vi.setSystemTime(new Date('2026-06-20T23:05:00.000Z'));
    const p = await call(print.POST, {
      path: `/api/session/${third.id}/print`,
      params: { id: third.id },
      as: 'booth',
    });
    expect(p.status).toBe(204);
    vi.useRealTimers();

    const st = await getStats(id);
    expect(st).toMatchObject({ sessions: 4, pictures: 1, prints: 1 });
    expect(st.by_hour).toEqual([
      { hour: '2026-06-20T18:00:00.000Z', sessions: 1, pictures: 0 },
      { hour: '2026-06-20T19:00:00.000Z', sessions: 2, pictures: 1 },
      { hour: '2026-06-20T22:00:00.000Z', sessions: 1, pictures: 0 },
    ]);

    const csv = await call(stats.GET, {
      path: `/api/events/${id}/stats?format=csv`,
      params: { id },
      as: 'admin',
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="event-stats-${id}.csv"`);
    expect(csv.body.toString()).toBe(
      [
        'hour,sessions,photos_uploaded,pictures,take_home_opens,downloads,prints,telegram_deliveries',
        'total,4,0,1,0,0,1,0',
        '2026-06-20T18:00:00.000Z,1,0,0,0,0,0,0',
        '2026-06-20T19:00:00.000Z,2,0,1,0,0,0,0',
        '2026-06-20T22:00:00.000Z,1,0,0,0,0,0,0',
        '2026-06-20T23:00:00.000Z,0,0,0,0,0,1,0',
        '',
      ].join('\r\n'),
    );
  });

  it('unknown event 404 event_not_found (JSON and CSV); a bad format 400 invalid_query', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const q of ['', '?format=csv']) {
      const r = await call(stats.GET, { path: `/api/events/${id}/stats${q}`, params: { id }, as: 'admin' });
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('event_not_found');
    }
    const bad = await call(stats.GET, { path: '/api/events/x/stats', params: { id: 'x' }, as: 'admin' });
    expect([bad.status, bad.json.error.code]).toEqual([404, 'event_not_found']);
    const real = await newEvent();
    const fmt = await call(stats.GET, {
      path: `/api/events/${real}/stats?format=xml`,
      params: { id: real },
      as: 'admin',
    });
    expect([fmt.status, fmt.json.error.code]).toEqual([400, 'invalid_query']);
  });

  it('is for the admin only: a guest 401, a wrong token 401, the booth 403', async () => {
    const id = await newEvent();
    const guest = await call(stats.GET, { path: `/api/events/${id}/stats`, params: { id } });
    expect([guest.status, guest.json.error.code]).toEqual([401, 'unauthorized']);
    const wrong = await call(stats.GET, {
      path: `/api/events/${id}/stats`,
      params: { id },
      as: 'nope-token',
    });
    expect(wrong.status).toBe(401);
    const booth = await call(stats.GET, { path: `/api/events/${id}/stats`, params: { id }, as: 'booth' });
    expect([booth.status, booth.json.error.code]).toEqual([403, 'forbidden']);
    // The event itself is readable by the booth; only its stats are not.
    expect(
      (await call(eventRoute.GET, { path: `/api/events/${id}`, params: { id }, as: 'booth' })).status,
    ).toBe(200);
  });

  it('deleting the event deletes its stats with it', async () => {
    const id = await newEvent();
    await createSession(id);
    const del = await call(eventRoute.DELETE, {
      method: 'DELETE',
      path: `/api/events/${id}`,
      params: { id },
      as: 'admin',
    });
    expect(del.status).toBe(204);
    const r = await call(stats.GET, { path: `/api/events/${id}/stats`, params: { id }, as: 'admin' });
    expect(r.status).toBe(404);
  });
});

describe('POST /api/session/:id/print', () => {
  it('is for the booth: a guest 401; an unknown session 404; an expired one 410', async () => {
    const id = await newEvent();
    const s = await createSession(id);
    const guest = await call(print.POST, { path: `/api/session/${s.id}/print`, params: { id: s.id } });
    expect(guest.status).toBe(401);
    const unknown = '00000000-0000-4000-8000-000000000001';
    const r404 = await call(print.POST, {
      path: `/api/session/${unknown}/print`,
      params: { id: unknown },
      as: 'booth',
    });
    expect([r404.status, r404.json.error.code]).toEqual([404, 'session_not_found']);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(Date.now() + 2 * HOUR));
    const late = await call(print.POST, {
      path: `/api/session/${s.id}/print`,
      params: { id: s.id },
      as: 'booth',
    });
    vi.useRealTimers();
    expect(late.status).toBe(410);
    expect(await getStats(id)).toMatchObject({ prints: 0 });
  });
});

describe("the admin chart's hours", () => {
  it('fills the hours between the first and the last with 0, and shows at most the latest 48', () => {
    const h = (iso: string, sessions: number, pictures = 0) => ({ hour: iso, sessions, pictures });
    expect(hourSeries([])).toEqual([]);
    expect(hourSeries([h('2026-06-20T18:00:00.000Z', 2), h('2026-06-20T21:00:00.000Z', 1, 1)])).toEqual([
      h('2026-06-20T18:00:00.000Z', 2),
      h('2026-06-20T19:00:00.000Z', 0),
      h('2026-06-20T20:00:00.000Z', 0),
      h('2026-06-20T21:00:00.000Z', 1, 1),
    ]);
    const long = hourSeries([h('2026-06-01T00:00:00.000Z', 5), h('2026-06-10T00:00:00.000Z', 1)]);
    expect(long).toHaveLength(48);
    expect(long[0]?.hour).toBe('2026-06-08T01:00:00.000Z');
    expect(long[47]).toEqual(h('2026-06-10T00:00:00.000Z', 1));
  });
});
