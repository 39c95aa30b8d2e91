import { describe, expect, it } from 'vitest';
import * as stats from '@/app/api/events/[id]/stats/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';
import { newSession, startPayload, useTelegram } from './harness';
import { textUpdate } from './updates';

// The event's telegram_deliveries: one per result the bot delivered to its chat.
const tg = useTelegram(
  { TELEGRAM_MODE: 'polling' },
  {
    polling: true,
    notifier: true,
    scanIntervalMs: 200,
    pollingTimeoutSeconds: 5,
    inbox: true,
    inboxScanMs: 200,
  },
);

const deliveries = async (eventId: string) => {
  const r = await call(stats.GET, {
    path: `/api/events/${eventId}/stats`,
    params: { id: eventId },
    as: 'admin',
  });
  expect(r.status).toBe(200);
  return r.json.stats.telegram_deliveries as number;
};

describe('telegram_deliveries', () => {
  it('counts once per delivered picture, and again for a replaced one', async () => {
    const api = tg.api();
    const session = await newSession('upload');
    const { event_id } = (
      await call(sessionRoute.GET, { path: `/api/session/${session.id}`, params: { id: session.id } })
    ).json.session as { event_id: string };
    const g = { id: 7001, username: 'statsguest', language_code: 'en', first_name: 'Ann' };
    api.push(textUpdate(api, g, `/start ${await startPayload(session.id)}`));
    await api.waitForTexts(g.id, 1);
    expect(await deliveries(event_id)).toBe(0);

    const save = async (hue: number) => {
      const r = await call(result.POST, {
        path: `/api/session/${session.id}/result`,
        params: { id: session.id },
        as: 'booth',
        body: photoForm(await img.jpeg(1200, 800, hue)),
      });
      expect(r.status).toBe(201);
    };
    await save(40);
    await api.waitFor(() => api.sent('sendDocument', g.id).length === 1 || undefined, 'the first delivery');
    await api.waitFor(async () => (await deliveries(event_id)) === 1 || undefined, 'the count of 1');
    // More scans and events of the session do not count it again.
    await new Promise((r) => setTimeout(r, 600));
    expect(await deliveries(event_id)).toBe(1);

    await save(160);
    await api.waitFor(() => api.sent('sendDocument', g.id).length === 2 || undefined, 'the second delivery');
    await api.waitFor(async () => (await deliveries(event_id)) === 2 || undefined, 'the count of 2');
  });
});
