import { describe, expect, it } from 'vitest';
import * as eventRoute from '@/app/api/events/[id]/route';
import * as eventsRoute from '@/app/api/events/route';
import * as pictureImage from '@/app/api/pictures/[token]/image/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import { ROTATION_MAX, Rotation } from '@/app/g/[token]/show/rotation';
import type { PictureJson } from '@/lib/shared/wire';
import { useTestEnv } from '../support/env';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';

/** The event option `slideshow_qr`: whether the slideshow /g/<token>/show shows the gallery's QR. */

useTestEnv();

const postEvent = (json: unknown) => call(eventsRoute.POST, { path: '/api/events', as: 'admin', json });
const getEvent = (id: string) =>
  call(eventRoute.GET, { path: `/api/events/${id}`, params: { id }, as: 'admin' });
const putEvent = (id: string, json: unknown) =>
  call(eventRoute.PUT, { method: 'PUT', path: `/api/events/${id}`, params: { id }, as: 'admin', json });

describe('slideshow_qr', () => {
  it('is false on a new event, and a PUT turns it on and off', async () => {
    const created = await postEvent({ name: 'Slides' });
    expect(created.status).toBe(201);
    const id = created.json.event.id as string;
    expect(created.json.event.slideshow_qr).toBe(false);

    const on = await putEvent(id, { slideshow_qr: true });
    expect(on.status).toBe(200);
    expect(on.json.event.slideshow_qr).toBe(true);
    expect((await getEvent(id)).json.event.slideshow_qr).toBe(true);
    // Other fields are left as they were.
    expect(on.json.event.print_qr).toBe(true);

    const off = await putEvent(id, { slideshow_qr: false });
    expect(off.status).toBe(200);
    expect((await getEvent(id)).json.event.slideshow_qr).toBe(false);
  });

  it('is taken on POST too', async () => {
    const created = await postEvent({ name: 'Slides on', slideshow_qr: true });
    expect(created.status).toBe(201);
    expect((await getEvent(created.json.event.id)).json.event.slideshow_qr).toBe(true);
  });

  it.each([['yes'], ['true'], [1], [null], [{}]])(
    'refuses %j with 400 invalid_event naming the field, and changes nothing',
    async (value) => {
      const id = (await postEvent({ name: 'Strict', slideshow_qr: true })).json.event.id as string;
      const before = (await getEvent(id)).json.event;
      const r = await putEvent(id, { slideshow_qr: value, name: 'Changed' });
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_event');
      expect(r.json.error.message).toContain('slideshow_qr');
      expect((await getEvent(id)).json.event).toEqual(before);
    },
  );
});

describe("the slideshow's picture fetch", () => {
  it('?from=host is not the guest saving the picture: the download session stays ready', async () => {
    const eventId = (await postEvent({ name: 'Screen' })).json.event.id as string;
    const s = await call(create.POST, {
      path: '/api/session/create',
      as: 'booth',
      json: { type: 'download', event_id: eventId },
    });
    const id = s.json.session.id as string;
    const r = await call(result.POST, {
      path: `/api/session/${id}/result`,
      params: { id },
      as: 'booth',
      body: photoForm(await img.jpeg(800, 600, 9)),
    });
    expect(r.status).toBe(201);
    const token = (r.json.session.picture_url as string).split('/').pop() as string;
    const status = async () =>
      (await call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } })).json.session.status;
    const image = (query: string) =>
      call(pictureImage.GET, { path: `/api/pictures/${token}/image${query}`, params: { token } });

    const shown = await image('?from=host');
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toBe('image/jpeg');
    expect(await status()).toBe('ready');
    expect((await image('?from=guest')).status).toBe(400);
    // The guest's own fetch still completes it.
    expect((await image('')).status).toBe(200);
    expect(await status()).toBe('completed');
  });
});

const pic = (i: number): PictureJson => ({
  id: `p${i}`,
  event_id: 'e',
  session_id: null,
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  expires_at: '2026-02-01T00:00:00.000Z',
  width: 1800,
  height: 1200,
  bytes: 1,
  url: `http://x/p/${i}`,
  image_url: `/api/pictures/${i}/image`,
});

describe('the rotation', () => {
  it('loops newest first; a new picture comes next; a removed one leaves', () => {
    const r = new Rotation([pic(1), pic(3), pic(2)]);
    const ids = (n: number, start: string | null) => {
      const out: string[] = [];
      let cur = start;
      for (let i = 0; i < n; i++) {
        cur = r.next(cur)?.picture.id ?? null;
        out.push(String(cur));
      }
      return out;
    };
    expect(ids(4, null)).toEqual(['p3', 'p2', 'p1', 'p3']);
    expect(r.add(pic(4))).toBe(true);
    expect(r.next('p3')).toEqual({ picture: pic(4), fresh: true });
    expect(ids(2, 'p4')).toEqual(['p3', 'p2']);
    expect(r.remove('p3')).toBe(true);
    expect(ids(3, 'p2')).toEqual(['p1', 'p4', 'p2']);
    // Only the one on screen left: nothing else to show.
    for (const id of ['p1', 'p4']) r.remove(id);
    expect(r.next('p2')).toBeNull();
    r.remove('p2');
    expect(r.next(null)).toBeNull();
  });

  it('stays bounded however many pictures come', () => {
    const r = new Rotation([]);
    for (let i = 0; i < 5000; i++) r.add(pic(i));
    expect(r.size).toBe(ROTATION_MAX);
    expect(r.pending).toBeLessThanOrEqual(ROTATION_MAX);
    // The newest are kept.
    expect(r.has('p4999')).toBe(true);
    expect(r.has(`p${4999 - ROTATION_MAX}`)).toBe(false);
  });

  it('merges a re-read first page: new ones next (oldest first), ones gone in its span removed', () => {
    const r = new Rotation([pic(5), pic(4), pic(1)]);
    const { added, removed } = r.merge([pic(7), pic(6), pic(5), pic(2)], false);
    expect(added).toBe(3);
    // p4 was removed while the stream was down; p1 is older than the page: kept.
    expect(removed).toEqual(['p4']);
    expect(r.has('p1')).toBe(true);
    // What the loop did not have comes next, in the order they were made.
    expect(r.next(null)?.picture.id).toBe('p2');
    expect(r.next('p2')?.picture.id).toBe('p6');
    expect(r.next('p6')?.picture.id).toBe('p7');
    expect(r.merge([pic(7)], true).removed.sort()).toEqual(['p1', 'p2', 'p5', 'p6']);
  });
});
