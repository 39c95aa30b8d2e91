import { afterAll, beforeAll } from 'vitest';
import * as events from '@/app/api/session/[id]/events/route';
import * as deepLink from '@/app/api/session/[id]/telegram/route';
import * as create from '@/app/api/session/create/route';
import { resetConfigForTests } from '@/lib/config';
import { type StartOptions, startTelegram, stopTelegram } from '@/lib/telegram/runtime';
import { useTestEnv } from '../support/env';
import { buildRequest, call } from '../support/http';
import { type FakeBotApi, startFakeBotApi } from './fake-bot-api';

export const BOT_TOKEN = '123456789:TEST-token-abcdefghijklmnopqrstuvwxyz';
export const BOT_USERNAME = 'pb_test_bot';

/**
 * One test file's Telegram world: a throwaway data dir, the Bot API stand-in on 127.0.0.1, and
 * the real grammY bot pointed at it (TELEGRAM_API_ROOT), started as the options say.
 */
export function useTelegram(env: Record<string, string>, start: StartOptions | null) {
  const testEnv = useTestEnv({
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_BOT_USERNAME: BOT_USERNAME,
    // Replaced by the stand-in's address below; never a real Telegram address.
    TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
    ...env,
  });
  const state: { api: FakeBotApi } = { api: undefined as unknown as FakeBotApi };
  beforeAll(async () => {
    state.api = await startFakeBotApi(BOT_TOKEN, BOT_USERNAME);
    process.env.TELEGRAM_API_ROOT = state.api.url;
    resetConfigForTests();
    if (start) await startTelegram({ retry: { baseDelayMs: 20, maxDelayMs: 100 }, ...start });
  });
  afterAll(async () => {
    await stopTelegram();
    await state.api.close();
  });
  return { env: testEnv, api: () => state.api };
}

export async function newSession(
  type: 'upload' | 'download' = 'upload',
  extra: Record<string, unknown> = {},
) {
  const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: { type, ...extra } });
  if (r.status !== 201) throw new Error(`create answered ${r.status}`);
  return r.json.session as { id: string; status: string; photo_count: number };
}

export async function startPayload(sessionId: string): Promise<string> {
  const r = await call(deepLink.GET, {
    path: `/api/session/${sessionId}/telegram`,
    params: { id: sessionId },
    as: 'booth',
  });
  if (r.status !== 200) throw new Error(`deep link answered ${r.status}: ${JSON.stringify(r.json)}`);
  return new URL(r.json.link).searchParams.get('start') ?? '';
}

/** The session's event stream, read from the route handler as the booth's browser would. */
export async function openEvents(sessionId: string) {
  const ctrl = new AbortController();
  const res = await events.GET(
    buildRequest({ path: `/api/session/${sessionId}/events`, signal: ctrl.signal }),
    {
      params: Promise.resolve({ id: sessionId }),
    },
  );
  if (!res.body) throw new Error(`events answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const sessions: { status: string; photo_count: number }[] = [];
  let buf = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buf += value;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: session') && data) sessions.push(JSON.parse(data.slice(6)));
        }
      }
    } catch {
      // closed
    }
  })();
  return {
    sessions,
    close: async () => {
      ctrl.abort();
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}
