import { describe, expect, it } from 'vitest';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as webhook from '@/app/api/telegram/webhook/route';
import { findTelegramUpdate } from '@/db/queries';
import { startServer } from '@/lib/startup';
import { dbRun, refuseWrites } from '../support/db';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';
import { BOT_USERNAME, newSession, startPayload, useTelegram } from './harness';
import { type Guest, photoUpdate, textUpdate } from './updates';

// Webhook mode, started by the server's own start-up hook.
const SECRET = 'test-webhook-secret_0123456789';
const tg = useTelegram(
  { TELEGRAM_MODE: 'webhook', PUBLIC_URL: 'https://booth.example.com', TELEGRAM_WEBHOOK_SECRET: SECRET },
  null,
);

function post(update: unknown, secret: string | null = SECRET) {
  return call(webhook.POST, {
    path: '/api/telegram/webhook',
    json: update,
    headers: secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret },
  });
}

const g: Guest = { id: 777001, username: 'boris', language_code: 'en' };

async function photoCount(id: string): Promise<number> {
  const r = await call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } });
  return r.json.session.photo_count;
}

describe('webhook mode', () => {
  it('registers the webhook at start-up from PUBLIC_URL, with the secret token', async () => {
    await startServer();
    const api = tg.api();
    const hook = await api.waitFor(() => api.webhook, 'setWebhook');
    expect(hook).toEqual({
      url: 'https://booth.example.com/api/telegram/webhook',
      secret_token: SECRET,
      allowed_updates: ['message', 'callback_query'],
    });
    // Webhook mode never long-polls.
    expect(api.callsOf('getUpdates')).toHaveLength(0);
  });

  it('rejects a missing or wrong secret token with a JSON 401, and handles nothing', async () => {
    const api = tg.api();
    const before = api.calls.length;
    for (const secret of [null, '', 'wrong-secret-0123456789', `${SECRET}x`]) {
      const r = await post(textUpdate(api, g, '/help'), secret);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toContain('application/json');
      expect(r.json.error.code).toBe('unauthorized');
    }
    expect(api.calls.length).toBe(before);
  });

  it('refuses a body that is not an update', async () => {
    const bad = await post('{"update_id": ');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_json');
    const noId = await post({ message: { text: 'hi' } });
    expect(noId.status).toBe(400);
    expect(noId.json.error.code).toBe('invalid_request');
  });

  it('stores the update, answers 200, then handles it: /start links the chat', async () => {
    const api = tg.api();
    const session = await newSession();
    const update = textUpdate(api, g, `/start ${await startPayload(session.id)}`);
    const r = await post(update);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true });
    expect(await findTelegramUpdate(update.update_id)).toBeDefined();
    expect((await api.waitForTexts(g.id, 1))[0]).toContain('You are connected to the photobooth');
    await tg
      .api()
      .waitFor(async () => (await findTelegramUpdate(update.update_id))?.state === 'done', 'the update done');
    // grammY learned who it is with getMe (the configured username is right: no warning).
    expect(api.sent('getMe').length).toBeGreaterThan(0);
    const s = await call(sessionRoute.GET, {
      path: `/api/session/${session.id}`,
      params: { id: session.id },
    });
    expect(s.json.session.telegram_user_id).toBe(g.id);
    expect(s.json.session.telegram_username).toBe('boris');
    expect(BOT_USERNAME).toBe('pb_test_bot');
  });

  it('a re-sent update (same update_id) is answered 200 and handled once', async () => {
    const api = tg.api();
    const session = await newSession();
    const guest: Guest = { id: 777002, language_code: 'en' };
    await post(textUpdate(api, guest, `/start ${await startPayload(session.id)}`));
    const update = photoUpdate(api, guest, api.addFile(await img.jpeg(800, 600, 40)));
    const [a, b] = await Promise.all([post(update), post(structuredClone(update))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await api.waitForTexts(guest.id, 2);
    const again = await post(structuredClone(update));
    expect(again.status).toBe(200);
    // A later update proves the copies were passed over, not still in flight.
    await post(textUpdate(api, guest, '/status'));
    const texts = await api.waitForTexts(guest.id, 3);
    expect(texts.slice(0, 2)).toEqual([expect.stringContaining('connected'), '📷 1 of 3 — up to 5']);
    expect(texts).toHaveLength(3);
    expect(await photoCount(session.id)).toBe(1);
  });

  it('answers 500 while the update cannot be stored (Telegram sends it again), and handles the copy that is', async () => {
    const api = tg.api();
    const guest: Guest = { id: 777004, language_code: 'en' };
    const update = textUpdate(api, guest, '/help');
    const allowWrites = await refuseWrites();
    let refused: Awaited<ReturnType<typeof post>>;
    try {
      refused = await post(update);
    } finally {
      await allowWrites();
    }
    expect(refused.status).toBe(500);
    expect(refused.json.error.code).toBe('internal_error');
    expect(await findTelegramUpdate(update.update_id)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(api.texts(guest.id)).toHaveLength(0);
    const retried = await post(structuredClone(update));
    expect(retried.status).toBe(200);
    expect((await api.waitForTexts(guest.id, 1))[0]).toContain('How it works');
  });

  it('an update processed again after a crash (its photo already stored) stores no second photo', async () => {
    const api = tg.api();
    const session = await newSession();
    const guest: Guest = { id: 777005, language_code: 'en' };
    await post(textUpdate(api, guest, `/start ${await startPayload(session.id)}`));
    const update = photoUpdate(api, guest, api.addFile(await img.jpeg(800, 600, 90)));
    await post(update);
    await api.waitForTexts(guest.id, 2);
    await api.waitFor(
      async () => (await findTelegramUpdate(update.update_id))?.state === 'done',
      'the photo update done',
    );
    // As a process killed after the photo's commit but before the update was marked done leaves it.
    expect(
      await dbRun(
        "update telegram_updates set state = 'pending', payload = ?, processed_at = null where update_id = ?",
        [JSON.stringify(update), update.update_id],
      ),
    ).toBe(1);
    // A copy from Telegram sets the inbox going, as a restart's scan would.
    expect((await post(structuredClone(update))).status).toBe(200);
    await api.waitFor(
      async () => (await findTelegramUpdate(update.update_id))?.state === 'done',
      'the update done again',
    );
    const texts = await api.waitForTexts(guest.id, 3);
    // The guest is told again (at least once), and the session still has one photo.
    expect(texts.slice(1)).toEqual(['📷 1 of 3 — up to 5', '📷 1 of 3 — up to 5']);
    expect(await photoCount(session.id)).toBe(1);
    expect((await findTelegramUpdate(update.update_id))?.attempts).toBe(2);
  });

  it('sends the saved result to the linked chat', async () => {
    const api = tg.api();
    const session = await newSession();
    const guest: Guest = { id: 777003, language_code: 'ru' };
    await post(textUpdate(api, guest, `/start ${await startPayload(session.id)}`));
    await api.waitForTexts(guest.id, 1);
    await call(result.POST, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
      body: photoForm(await img.jpeg(1200, 800, 10)),
    });
    await api.waitFor(() => api.sent('sendDocument', guest.id).length > 0, 'the picture');
    expect(api.sent('sendPhoto', guest.id)).toHaveLength(1);
  });
});
