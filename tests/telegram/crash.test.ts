import { afterAll, describe, expect, it } from 'vitest';
import * as sessionRoute from '@/app/api/session/[id]/route';
import { findTelegramUpdate } from '@/db/queries';
import { call } from '../support/http';
import * as img from '../support/images';
import { BotProcess } from './bot-process';
import { newSession, startPayload, useTelegram } from './harness';
import { type Guest, photoUpdate, textUpdate } from './updates';

// The bot process (`npm run bot`) killed with SIGKILL in the middle of storing a photo: the update
// was already taken from Telegram, so only the inbox can bring the photo back after a restart.
const tg = useTelegram({ TELEGRAM_MODE: 'external' }, null);

const bots: BotProcess[] = [];
afterAll(async () => {
  for (const b of bots) await b.kill('SIGKILL');
});

function startBot(): BotProcess {
  const b = new BotProcess(tg.env.dataDir(), tg.api().url);
  bots.push(b);
  return b;
}

async function photoCount(id: string): Promise<number> {
  const r = await call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } });
  return r.json.session.photo_count;
}

describe('a bot process killed mid-update', () => {
  it('after a restart the photo arrives exactly once, with one confirmation', async () => {
    const api = tg.api();
    const session = await newSession();
    const payload = await startPayload(session.id);
    const g: Guest = { id: 999001, language_code: 'en' };

    const first = startBot();
    await api.waitFor(() => api.sent('deleteWebhook').length > 0, 'the bot process to start', 30_000);
    api.push(textUpdate(api, g, `/start ${payload}`));
    expect((await api.waitForTexts(g.id, 1))[0]).toContain('connected');

    // The photo's download hangs: the process is in the middle of the update when it dies.
    const release = api.holdDownloads();
    const update = photoUpdate(api, g, api.addFile(await img.jpeg(900, 600, 120)));
    api.push(update);
    await api.waitFor(() => api.heldDownloads > 0, 'the photo download to start', 20_000);
    // The bot asked for the next offset: Telegram considers the update delivered and will not
    // send it again. Only the bot's own inbox has it now.
    await api.waitFor(() => api.drained(), 'Telegram to forget the update');
    await first.kill('SIGKILL');
    release();
    expect(await photoCount(session.id)).toBe(0);
    expect(await findTelegramUpdate(update.update_id)).toMatchObject({ state: 'pending', attempts: 1 });

    const second = startBot();
    const texts = await api.waitFor(
      () => api.texts(g.id).length >= 2 && api.texts(g.id),
      'the photo after the restart',
      30_000,
    );
    expect(texts[1]).toBe('📷 1 of 3 — up to 5');
    // A later update proves nothing else of the killed one is still coming.
    api.push(textUpdate(api, g, '/status'));
    const all = await api.waitForTexts(g.id, 3);
    expect(all[2]).toContain('1 of 3');
    expect(all.filter((t) => t.startsWith('📷'))).toHaveLength(1);
    expect(await photoCount(session.id)).toBe(1);
    expect(await findTelegramUpdate(update.update_id)).toMatchObject({
      state: 'done',
      attempts: 2,
      payload: null,
    });
    expect(second.logs).toContain(`update ${update.update_id} was left unfinished by a stopped process`);
    await second.kill('SIGTERM');
  }, 90_000);
});
