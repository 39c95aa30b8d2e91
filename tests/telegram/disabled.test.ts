import { describe, expect, it } from 'vitest';
import * as deepLink from '@/app/api/session/[id]/telegram/route';
import * as webhook from '@/app/api/telegram/webhook/route';
import { ConfigError, getConfig, parseConfig } from '@/lib/config';
import { startTelegramForServer } from '@/lib/telegram/runtime';
import { useTestEnv } from '../support/env';
import { call } from '../support/http';
import { BOT_TOKEN, newSession } from './harness';

// No TELEGRAM_BOT_TOKEN: the product behaves exactly as before.
useTestEnv();

describe('without a bot token', () => {
  it('the deep-link API answers 404 telegram_disabled, so the booth shows no Telegram QR', async () => {
    const session = await newSession();
    const r = await call(deepLink.GET, {
      path: `/api/session/${session.id}/telegram`,
      params: { id: session.id },
      as: 'booth',
    });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('telegram_disabled');
  });

  it('the webhook answers 404 telegram_disabled, and start-up starts nothing', async () => {
    const r = await call(webhook.POST, {
      path: '/api/telegram/webhook',
      json: { update_id: 1 },
      headers: { 'x-telegram-bot-api-secret-token': 'whatever-secret-1234' },
    });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('telegram_disabled');
    expect(getConfig().telegram).toBeNull();
    await startTelegramForServer();
  });
});

describe('Telegram configuration', () => {
  const base = {
    DATA_DIR: '/tmp/pb-config-test',
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_BOT_USERNAME: '@pb_test_bot',
  };

  it('picks webhook for an https PUBLIC_URL and polling otherwise, and derives a valid secret', () => {
    const hosted = parseConfig({ ...base, PUBLIC_URL: 'https://photos.example.com/' }).telegram;
    expect(hosted?.mode).toBe('webhook');
    expect(hosted?.botUsername).toBe('pb_test_bot');
    expect(hosted?.apiRoot).toBe('https://api.telegram.org');
    expect(hosted?.webhookSecret).toMatch(/^[A-Za-z0-9_-]{16,256}$/);
    expect(hosted?.webhookSecret).not.toContain(BOT_TOKEN.split(':')[1]);
    // The same token gives the same secret: restarts and sibling processes agree.
    expect(parseConfig({ ...base, PUBLIC_URL: 'https://x.example' }).telegram?.webhookSecret).toBe(
      hosted?.webhookSecret,
    );
    expect(parseConfig(base).telegram?.mode).toBe('polling');
    expect(parseConfig({ ...base, PUBLIC_URL: 'http://192.168.1.20:3000' }).telegram?.mode).toBe('polling');
    expect(parseConfig({ ...base, TELEGRAM_MODE: 'external' }).telegram?.mode).toBe('external');
    expect(parseConfig({ ...base, TELEGRAM_MODE: 'off' }).telegram).toBeNull();
    expect(parseConfig({ DATA_DIR: '/tmp/x' }).telegram).toBeNull();
  });

  it('fails fast, naming the variable, on a half or wrong setup', () => {
    const bad: [Record<string, string>, string][] = [
      [{ DATA_DIR: '/tmp/x', TELEGRAM_BOT_TOKEN: BOT_TOKEN }, 'TELEGRAM_BOT_USERNAME'],
      [{ ...base, TELEGRAM_BOT_TOKEN: 'not-a-token' }, 'TELEGRAM_BOT_TOKEN'],
      [{ ...base, TELEGRAM_MODE: 'webhook' }, 'TELEGRAM_MODE'],
      [{ ...base, TELEGRAM_MODE: 'webhook', PUBLIC_URL: 'http://booth.lan' }, 'TELEGRAM_MODE'],
      [{ ...base, TELEGRAM_MODE: 'sometimes' }, 'TELEGRAM_MODE'],
      [{ ...base, TELEGRAM_WEBHOOK_SECRET: 'short' }, 'TELEGRAM_WEBHOOK_SECRET'],
      [{ ...base, TELEGRAM_API_ROOT: 'ftp://x' }, 'TELEGRAM_API_ROOT'],
    ];
    for (const [env, name] of bad) {
      expect(() => parseConfig(env)).toThrow(ConfigError);
      expect(() => parseConfig(env)).toThrow(name);
    }
  });
});
