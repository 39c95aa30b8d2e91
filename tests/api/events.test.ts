import { describe, expect, it } from 'vitest';
import * as eventBooths from '@/app/api/events/[id]/booths/route';
import * as eventRoute from '@/app/api/events/[id]/route';
import * as eventsRoute from '@/app/api/events/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import * as list from '@/app/api/sessions/list/route';
import { closeDbForTests } from '@/db';
import { prepareDatabase } from '@/db/connection';
import { listEvents as listEventRows } from '@/db/queries';
import { resetConfigForTests } from '@/lib/config';
import { loadEvent } from '@/lib/event-rules';
import { createSession as createSessionRow } from '@/lib/sessions';
import { dbRows } from '../support/db';
import { useTestEnv } from '../support/env';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';
import { blobFolderGone, storedBlobNames } from '../support/storage';

/**
 * Events: the default event (made once, from the environment), the admin's CRUD with every
 * validation error, and sessions taking their event's limits when they are made.
 */

useTestEnv({
  EVENT_NAME: 'Anna & Boris',
  MAX_UPLOADED_PHOTOS: '6',
  READY_AT_PHOTOS: '2',
  SESSION_TTL_MINUTES: '45',
  WIFI_SSID: 'Venue',
  WIFI_PASSWORD: 'secret-pass',
});

const listEvents = (as = 'admin') => call(eventsRoute.GET, { path: '/api/events', as });
const postEvent = (json: unknown, as = 'admin') => call(eventsRoute.POST, { path: '/api/events', as, json });
const getEvent = (id: string, as = 'admin') =>
  call(eventRoute.GET, { path: `/api/events/${id}`, params: { id }, as });
const putEvent = (id: string, json: unknown, as = 'admin') =>
  call(eventRoute.PUT, { method: 'PUT', path: `/api/events/${id}`, params: { id }, as, json });
const deleteEvent = (id: string, as = 'admin') =>
  call(eventRoute.DELETE, { method: 'DELETE', path: `/api/events/${id}`, params: { id }, as });
const createSession = (json: Record<string, unknown>, as = 'booth') =>
  call(create.POST, { path: '/api/session/create', as, json });
const upload = (id: string, file: Buffer, as?: string) =>
  call(photos.POST, { path: `/api/session/${id}/photos`, params: { id }, as, body: photoForm(file) });

async function newEvent(json: Record<string, unknown> = {}) {
  const r = await postEvent({ name: 'Party', ...json });
  expect(r.status).toBe(201);
  return r.json.event;
}

async function defaultEventJson() {
  const r = await listEvents();
  expect(r.status).toBe(200);
  return r.json.events[0];
}

describe('the default event', () => {
  it('exists once, first in the list, with its values from the environment', async () => {
    const e = await defaultEventJson();
    expect(e).toMatchObject({
      name: 'Anna & Boris',
      caption: 'Anna & Boris',
      is_default: true,
      max_photos: 6,
      ready_at: 2,
      session_ttl_minutes: 45,
      wifi: { ssid: 'Venue', password: 'secret-pass' },
      retention_days: 0,
      print_qr: false,
      slideshow_qr: false,
      has_frame: false,
      layouts: ['grid', 'strip', 'single'],
      theme: { background: '#ffffff', text: '#1f2937', accent: '#f59e0b' },
    });
    expect(Object.keys(e).sort()).toEqual(
      [
        'id',
        'name',
        'is_default',
        'starts_at',
        'ends_at',
        'locale',
        'caption',
        'theme',
        'layouts',
        'max_photos',
        'ready_at',
        'session_ttl_minutes',
        'retention_days',
        'print_qr',
        'slideshow_qr',
        'consent_text',
        'wifi',
        'has_frame',
        'created_at',
        'updated_at',
      ].sort(),
    );
  });

  it('is made once: opening the database again, with another environment, changes nothing', async () => {
    const before = await defaultEventJson();
    // As a server starting on this database does (SQLite: open + migrate; PostgreSQL: migratePg).
    await prepareDatabase();
    process.env.EVENT_NAME = 'Someone else';
    resetConfigForTests();
    closeDbForTests();
    try {
      await prepareDatabase();
      const defaults = (await listEventRows())
        .filter((e) => e.isDefault)
        .map(({ id, name }) => ({ id, name }));
      expect(defaults).toEqual([{ id: before.id, name: 'Anna & Boris' }]);
    } finally {
      process.env.EVENT_NAME = 'Anna & Boris';
      resetConfigForTests();
      closeDbForTests();
    }
  });

  it('cannot be deleted (409 default_event) but can be edited', async () => {
    const e = await defaultEventJson();
    const del = await deleteEvent(e.id);
    expect(del.status).toBe(409);
    expect(del.json.error.code).toBe('default_event');
    const put = await putEvent(e.id, { caption: 'Welcome' });
    expect(put.status).toBe(200);
    expect(put.json.event).toMatchObject({ id: e.id, caption: 'Welcome', is_default: true });
    expect((await putEvent(e.id, { caption: null })).json.event.caption).toBeNull();
    // An empty change (the admin saved without editing) changes nothing and is not an error.
    const same = await putEvent(e.id, {});
    expect(same.status).toBe(200);
    expect(same.json.event).toMatchObject({ name: e.name, caption: null, max_photos: e.max_photos });
  });

  it('BOOTH_TOKEN sessions belong to it and take its limits', async () => {
    const e = await defaultEventJson();
    const r = await createSession({ type: 'upload' });
    expect(r.status).toBe(201);
    expect(r.json.session).toMatchObject({ event_id: e.id, booth_id: null, max_photos: 6, ready_at: 2 });
    const s = r.json.session;
    expect(Date.parse(s.expires_at) - Date.parse(s.created_at)).toBe(45 * 60_000);
  });
});

describe('POST /api/events', () => {
  it('creates an event with the documented defaults', async () => {
    const e = await newEvent({ name: '  Wedding  ' });
    expect(e).toMatchObject({
      name: 'Wedding',
      is_default: false,
      starts_at: null,
      ends_at: null,
      locale: 'en',
      caption: null,
      theme: { background: '#ffffff', text: '#1f2937', accent: '#f59e0b' },
      layouts: ['grid', 'strip', 'single'],
      max_photos: 5,
      ready_at: 3,
      session_ttl_minutes: 30,
      retention_days: 7,
      print_qr: true,
      slideshow_qr: false,
      consent_text: null,
      wifi: null,
      has_frame: false,
    });
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.created_at).toBe(e.updated_at);
  });

  it('stores every writable field as given', async () => {
    const fields = {
      name: 'Anna & Boris',
      ends_at: '2027-06-12T23:00:00.000Z',
      locale: 'ru',
      caption: 'Anna & Boris · 12.06.2027',
      theme: { background: '#000000', text: '#FFFFFF', accent: '#ff0080' },
      layouts: ['strip', 'single'],
      max_photos: 8,
      ready_at: 4,
      session_ttl_minutes: 0.5,
      retention_days: 30,
      print_qr: false,
      slideshow_qr: true,
      consent_text: 'I agree that my photos appear in the gallery.',
      wifi: { ssid: 'Wedding', password: 'hunter22' },
    };
    // A time with an offset is stored, and answered, in UTC.
    const e = await newEvent({ ...fields, starts_at: '2027-06-12T14:00:00+02:00' });
    expect(e).toMatchObject({ ...fields, starts_at: '2027-06-12T12:00:00.000Z' });
    expect((await getEvent(e.id)).json.event).toEqual(e);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(121) }, 'name'],
    [{ name: 5 }, 'name'],
    [{ name: 'P', locale: 'de' }, 'locale'],
    [{ name: 'P', theme: { accent: 'red' } }, 'theme.accent'],
    [{ name: 'P', theme: { background: '#fff' } }, 'theme.background'],
    [{ name: 'P', theme: { glow: '#ffffff' } }, 'theme.glow'],
    [{ name: 'P', layouts: [] }, 'layouts'],
    [{ name: 'P', layouts: ['grid', 'grid'] }, 'layouts'],
    [{ name: 'P', layouts: ['mosaic'] }, 'layouts.0'],
    [{ name: 'P', max_photos: 0 }, 'max_photos'],
    [{ name: 'P', max_photos: 21 }, 'max_photos'],
    [{ name: 'P', max_photos: 2.5 }, 'max_photos'],
    [{ name: 'P', ready_at: 0 }, 'ready_at'],
    [{ name: 'P', max_photos: 3, ready_at: 4 }, 'ready_at'],
    [{ name: 'P', ready_at: 6 }, 'ready_at'],
    [{ name: 'P', session_ttl_minutes: 0.001 }, 'session_ttl_minutes'],
    [{ name: 'P', session_ttl_minutes: 7 * 24 * 60 + 1 }, 'session_ttl_minutes'],
    [{ name: 'P', retention_days: -1 }, 'retention_days'],
    [{ name: 'P', retention_days: 366 }, 'retention_days'],
    [{ name: 'P', print_qr: 'yes' }, 'print_qr'],
    [{ name: 'P', slideshow_qr: 'yes' }, 'slideshow_qr'],
    [{ name: 'P', slideshow_qr: 1 }, 'slideshow_qr'],
    [{ name: 'P', consent_text: 'x'.repeat(2001) }, 'consent_text'],
    [{ name: 'P', wifi: { ssid: '' } }, 'wifi.ssid'],
    [{ name: 'P', wifi: { ssid: 'x'.repeat(33) } }, 'wifi.ssid'],
    [{ name: 'P', wifi: { ssid: 'Net', password: 'x'.repeat(64) } }, 'wifi.password'],
    [{ name: 'P', caption: 'x'.repeat(81) }, 'caption'],
    [{ name: 'P', starts_at: 'tomorrow' }, 'starts_at'],
    [{ name: 'P', starts_at: '2027-06-12T20:00:00Z', ends_at: '2027-06-12T19:00:00Z' }, 'ends_at'],
    [{ name: 'P', is_default: true }, 'is_default'],
    [{ name: 'P', has_frame: true }, 'has_frame'],
    [[1], 'body'],
  ])('refuses %j with 400 invalid_event naming %s', async (body, field) => {
    const r = await postEvent(body);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_event');
    if (field !== 'body') expect(r.json.error.message).toContain(field);
  });

  it('is for the admin only: 401 without credentials, 403 for the booth', async () => {
    expect((await postEvent({ name: 'P' }, 'guest')).status).toBe(401);
    expect((await postEvent({ name: 'P' }, 'booth')).json.error.code).toBe('forbidden');
    expect((await listEvents('booth')).status).toBe(403);
  });
});

describe('GET /api/events and /api/events/:id', () => {
  it('lists the default event first, then the newest', async () => {
    const a = await newEvent({ name: 'First' });
    await new Promise((r) => setTimeout(r, 5));
    const b = await newEvent({ name: 'Second' });
    const ids = (await listEvents()).json.events.map((e: { id: string }) => e.id);
    expect(ids[0]).toBe((await defaultEventJson()).id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
  });

  it('answers 404 event_not_found for unknown and malformed ids', async () => {
    for (const id of ['0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11', 'nope', '../etc']) {
      for (const r of [await getEvent(id), await putEvent(id, { name: 'X' }), await deleteEvent(id)]) {
        expect(r.status).toBe(404);
        expect(r.json.error.code).toBe('event_not_found');
      }
    }
  });

  it('BOOTH_TOKEN may read any event (it acts for every one); a guest may not', async () => {
    const e = await newEvent();
    expect((await getEvent(e.id, 'booth')).json.event.id).toBe(e.id);
    expect((await getEvent(e.id, 'guest')).status).toBe(401);
  });
});

describe('PUT /api/events/:id', () => {
  it('changes the given fields only; a partial theme keeps the other colours', async () => {
    const e = await newEvent({ caption: 'Hello', theme: { accent: '#123456' } });
    await new Promise((r) => setTimeout(r, 5));
    const r = await putEvent(e.id, { name: 'Renamed', theme: { text: '#abcdef' }, wifi: { ssid: 'Net' } });
    expect(r.status).toBe(200);
    expect(r.json.event).toMatchObject({
      name: 'Renamed',
      caption: 'Hello',
      theme: { background: '#ffffff', text: '#abcdef', accent: '#123456' },
      wifi: { ssid: 'Net', password: '' },
    });
    expect(r.json.event.created_at).toBe(e.created_at);
    expect(Date.parse(r.json.event.updated_at)).toBeGreaterThan(Date.parse(e.updated_at));
  });

  it('checks the rules between fields on the event as it would be', async () => {
    const e = await newEvent({ max_photos: 5, ready_at: 3 });
    const low = await putEvent(e.id, { max_photos: 2 });
    expect(low.status).toBe(400);
    expect(low.json.error).toMatchObject({ code: 'invalid_event' });
    expect(low.json.error.message).toContain('ready_at');
    expect((await putEvent(e.id, { max_photos: 2, ready_at: 2 })).status).toBe(200);
    const dates = await putEvent(e.id, { ends_at: '2020-01-01T00:00:00Z' });
    expect(dates.status).toBe(200);
    const before = await putEvent(e.id, { starts_at: '2021-01-01T00:00:00Z' });
    expect(before.status).toBe(400);
    expect(before.json.error.message).toContain('ends_at');
    expect((await putEvent(e.id, { name: '' })).json.error.code).toBe('invalid_event');
    expect((await putEvent(e.id, { name: 'X' }, 'booth')).status).toBe(403);
  });
});

describe('sessions follow their event', () => {
  it('a session takes its event limits; a change applies to sessions created after it only', async () => {
    const e = await newEvent({ max_photos: 2, ready_at: 1, session_ttl_minutes: 10 });
    const old = (await createSession({ type: 'upload', event_id: e.id })).json.session;
    expect(old).toMatchObject({ event_id: e.id, booth_id: null, max_photos: 2, ready_at: 1 });
    expect(Date.parse(old.expires_at) - Date.parse(old.created_at)).toBe(10 * 60_000);

    expect((await putEvent(e.id, { max_photos: 3, ready_at: 3, session_ttl_minutes: 20 })).status).toBe(200);
    const fresh = (await createSession({ type: 'upload', event_id: e.id })).json.session;
    expect(fresh).toMatchObject({ max_photos: 3, ready_at: 3 });
    expect(Date.parse(fresh.expires_at) - Date.parse(fresh.created_at)).toBe(20 * 60_000);
    // ttl_minutes of the request still overrides the event's lifetime.
    const custom = (await createSession({ type: 'upload', event_id: e.id, ttl_minutes: 2 })).json.session;
    expect(Date.parse(custom.expires_at) - Date.parse(custom.created_at)).toBe(2 * 60_000);

    // The old session keeps its limits: ready at 1 photo, full at 2.
    const first = await upload(old.id, await img.jpeg(320, 240));
    expect(first.status).toBe(201);
    expect(first.json.session).toMatchObject({ status: 'ready', photo_count: 1, max_photos: 2, ready_at: 1 });
    expect((await upload(old.id, await img.jpeg(320, 240, 20))).status).toBe(201);
    const third = await upload(old.id, await img.jpeg(320, 240, 40));
    expect(third.status).toBe(409);
    expect(third.json.error.code).toBe('photo_limit_reached');
    expect(third.json.error.message).toContain('2');

    // The new one: not ready before its 3rd photo.
    for (let i = 0; i < 2; i++) {
      const r = await upload(fresh.id, await img.jpeg(320, 240, i * 50));
      expect(r.json.session.status).toBe('pending');
    }
    expect((await upload(fresh.id, await img.jpeg(320, 240, 99))).json.session.status).toBe('ready');
  });

  it("the admin lists one event's sessions with ?event_id= (unknown: 404)", async () => {
    const e = await newEvent();
    const mine = (await createSession({ type: 'upload', event_id: e.id })).json.session;
    await createSession({ type: 'upload' });
    const r = await call(list.GET, { path: `/api/sessions/list?event_id=${e.id}`, as: 'admin' });
    expect(r.json.sessions.map((s: { id: string }) => s.id)).toEqual([mine.id]);
    const unknown = await call(list.GET, { path: '/api/sessions/list?event_id=nope', as: 'admin' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('event_not_found');
  });

  it('an event deleted between reading it and making the session: 404, not a 500', async () => {
    const e = await newEvent();
    const row = await loadEvent(e.id);
    expect((await deleteEvent(e.id)).status).toBe(204);
    await expect(createSessionRow({ type: 'upload', event: row })).rejects.toThrow(
      expect.objectContaining({ code: 'event_not_found' }),
    );
  });

  it('an unknown event_id is 404 event_not_found; a malformed one too', async () => {
    for (const event_id of ['0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11', 'x']) {
      const r = await createSession({ type: 'upload', event_id });
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('event_not_found');
    }
  });
});

describe('DELETE /api/events/:id', () => {
  it('removes the event with its sessions, photos, files and booths', async () => {
    const e = await newEvent();
    const s = (await createSession({ type: 'upload', event_id: e.id })).json.session;
    expect((await upload(s.id, await img.jpeg(320, 240))).status).toBe(201);
    const other = (await createSession({ type: 'upload' })).json.session;
    const booth = await call(eventBooths.POST, {
      path: `/api/events/${e.id}/booths`,
      params: { id: e.id },
      as: 'admin',
      json: { name: 'Booth A' },
    });
    expect(booth.status).toBe(201);
    expect(await storedBlobNames(`photos/${s.id}/`)).toHaveLength(2);

    const r = await deleteEvent(e.id);
    expect(r.status).toBe(204);
    expect(await blobFolderGone(`photos/${s.id}/`)).toBe(true);
    expect(await dbRows('select count(*) n from sessions where id = ?', [s.id])).toEqual([{ n: 0 }]);
    expect(await dbRows('select count(*) n from session_photos where session_id = ?', [s.id])).toEqual([
      { n: 0 },
    ]);
    expect(await dbRows('select count(*) n from booths where event_id = ?', [e.id])).toEqual([{ n: 0 }]);
    expect(await dbRows('select count(*) n from booth_pairings')).toEqual([{ n: 0 }]);
    expect((await getEvent(e.id)).status).toBe(404);
    expect(
      (await call(sessionRoute.GET, { path: `/api/session/${s.id}`, params: { id: s.id } })).status,
    ).toBe(404);
    // Another event's session is untouched.
    expect(
      (await call(sessionRoute.GET, { path: `/api/session/${other.id}`, params: { id: other.id } })).status,
    ).toBe(200);
    expect((await deleteEvent(e.id, 'booth')).status).toBe(403);
  });
});
