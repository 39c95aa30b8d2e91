import { describe, expect, it } from 'vitest';
import * as eventRoute from '@/app/api/events/[id]/route';
import * as eventsRoute from '@/app/api/events/route';
import { useTestEnv } from '../support/env';
import { call } from '../support/http';

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
