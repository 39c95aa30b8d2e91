import { afterAll, describe, expect, it } from 'vitest';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import { startChangeWatcher, stopChangeWatcher } from '@/lib/change-watcher';
import { getConfig } from '@/lib/config';
import { subscribe } from '@/lib/events';
import { startTelegramForServer } from '@/lib/telegram/runtime';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';
import { BotProcess } from './bot-process';
import { newSession, startPayload, useTelegram } from './harness';
import { type Guest, photoUpdate, textUpdate } from './updates';

// TELEGRAM_MODE=external: the web server only makes deep links; `npm run bot` (scripts/bot.ts, a
// separate process on the same DATA_DIR) polls and sends the pictures.
const tg = useTelegram({ TELEGRAM_MODE: 'external' }, null);

let bot: BotProcess | undefined;

afterAll(async () => {
  await bot?.kill('SIGTERM');
});

describe('npm run bot beside a server in external mode', () => {
  it('the server itself neither polls nor registers a webhook', async () => {
    await startTelegramForServer();
    expect(getConfig().telegram?.mode).toBe('external');
    await new Promise((r) => setTimeout(r, 200));
    expect(tg.api().calls).toHaveLength(0);
  });

  it('the bot process links the chat, takes photos, and sends the picture the server saved', async () => {
    const api = tg.api();
    const session = await newSession();
    const payload = await startPayload(session.id);
    bot = new BotProcess(tg.env.dataDir(), api.url);
    // grammY drops any webhook before it starts to long-poll.
    await api.waitFor(() => api.sent('deleteWebhook').length > 0, 'the bot process to start', 30_000);

    // This process plays the web server: a booth's stream here must hear of the bot's changes.
    startChangeWatcher(200);
    const heard: string[] = [];
    const unsubscribe = subscribe(session.id, (e) => heard.push(e.kind));
    const g: Guest = { id: 888001, username: 'vera', language_code: 'ru' };
    api.push(textUpdate(api, g, `/start ${payload}`));
    expect((await api.waitForTexts(g.id, 1))[0]).toContain('Вы подключены');
    api.push(photoUpdate(api, g, api.addFile(await img.jpeg(900, 600, 120))));
    expect((await api.waitForTexts(g.id, 2))[1]).toBe('📷 1 из 3 — можно до 5');
    const s = await call(sessionRoute.GET, {
      path: `/api/session/${session.id}`,
      params: { id: session.id },
    });
    expect(s.json.session.photo_count).toBe(1);
    expect(s.json.session.telegram_username).toBe('vera');
    await api.waitFor(() => heard.length > 0, 'the change watcher to see the bot process upload');
    unsubscribe();
    stopChangeWatcher();

    // Saved in this process: the bot process finds it by its database scan.
    await call(result.POST, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
      body: photoForm(await img.jpeg(1200, 800, 60)),
    });
    await api.waitFor(() => api.sent('sendDocument', g.id).length > 0, 'the picture from the bot process');
    expect(api.sent('sendPhoto', g.id)).toHaveLength(1);
    expect(bot.logs).toContain('bot running on');
  }, 60_000);
});
