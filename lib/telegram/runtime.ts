import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { getConfig, type TelegramConfig } from '../config';
import { ApiError } from '../errors';
import { createBot } from './bot';
import { type Notifier, startNotifier } from './notifier';
import { isTransient, type RetryOptions, sleep } from './retry';

/**
 * Running the bot: one instance per process (kept on globalThis, as Next may load this module
 * twice), fed by the webhook route, by long polling, or by `npm run bot`. Nothing here blocks the
 * web API: polling and webhook registration run in the background and retry with backoff.
 */

export const WEBHOOK_PATH = '/api/telegram/webhook';

interface Runtime {
  cfg: TelegramConfig;
  bot: Bot;
  abort: AbortController;
  init?: Promise<void>;
  notifier?: Notifier;
  polling?: Promise<void>;
  webhook?: Promise<void>;
}

const g = globalThis as unknown as { __pbTelegram?: Runtime };

function sameConfig(a: TelegramConfig, b: TelegramConfig): boolean {
  return a.botToken === b.botToken && a.apiRoot === b.apiRoot;
}

function runtime(retry?: Partial<RetryOptions>): Runtime | null {
  const cfg = getConfig().telegram;
  if (!cfg) return null;
  if (g.__pbTelegram && sameConfig(g.__pbTelegram.cfg, cfg)) return g.__pbTelegram;
  g.__pbTelegram = { cfg, bot: createBot(cfg, { retry }), abort: new AbortController() };
  return g.__pbTelegram;
}

/** getMe once (grammY needs it before handling updates), and a warning on a mistyped username. */
function ensureInit(rt: Runtime): Promise<void> {
  rt.init ??= rt.bot
    .init()
    .then(() => checkUsername(rt))
    .catch((err) => {
      rt.init = undefined;
      throw err;
    });
  return rt.init;
}

function checkUsername(rt: Runtime): void {
  const actual = rt.bot.botInfo.username;
  if (actual.toLowerCase() !== rt.cfg.botUsername.toLowerCase()) {
    console.warn(
      `[telegram] TELEGRAM_BOT_USERNAME is ${rt.cfg.botUsername} but the token belongs to @${actual}: the booth's t.me links will open the wrong bot`,
    );
  }
}

export interface StartOptions {
  polling?: boolean;
  registerWebhook?: boolean;
  notifier?: boolean;
  /** How often to look for pictures not yet sent (null: only on this process's own events). */
  scanIntervalMs?: number | null;
  retry?: Partial<RetryOptions>;
  /** getUpdates long-poll timeout. */
  pollingTimeoutSeconds?: number;
}

export async function startTelegram(
  opts: StartOptions,
): Promise<{ webhookRegistered: Promise<void> } | null> {
  const rt = runtime(opts.retry);
  if (!rt) return null;
  if (opts.notifier && !rt.notifier) {
    rt.notifier = startNotifier(rt.bot, { scanIntervalMs: opts.scanIntervalMs ?? null });
  }
  if (opts.polling && !rt.polling) rt.polling = pollForever(rt, opts.pollingTimeoutSeconds ?? 30);
  if (opts.registerWebhook && !rt.webhook) rt.webhook = registerWebhook(rt);
  return { webhookRegistered: rt.webhook ?? Promise.resolve() };
}

/** The start-up hook of the web server: what TELEGRAM_MODE asks of this process. */
export async function startTelegramForServer(): Promise<void> {
  const cfg = getConfig().telegram;
  if (!cfg) return;
  if (cfg.mode === 'external') {
    console.log(`[telegram] deep links to @${cfg.botUsername}; updates are handled by \`npm run bot\``);
    return;
  }
  // Under the multi-process server only the first worker polls, registers and scans; every worker
  // handles webhook requests and the events of its own uploads.
  const leader = getConfig().clusterRole !== 'follower';
  await startTelegram({
    polling: leader && cfg.mode === 'polling',
    registerWebhook: leader && cfg.mode === 'webhook',
    notifier: true,
    scanIntervalMs: leader ? 10_000 : null,
  });
}

async function pollForever(rt: Runtime, timeoutSeconds: number): Promise<void> {
  let delay = 2_000;
  while (!rt.abort.signal.aborted) {
    try {
      await rt.bot.start({
        allowed_updates: ['message'],
        timeout: timeoutSeconds,
        onStart: (me) => {
          delay = 2_000;
          checkUsername(rt);
          console.log(`[telegram] @${me.username}: long polling for updates`);
        },
      });
    } catch (err) {
      // 409: another process polls (or a webhook is set by another deployment); 401: a bad token.
      console.error(`[telegram] polling stopped: ${(err as Error).message}; retrying in ${delay / 1000} s`);
    }
    if (rt.abort.signal.aborted) break;
    await sleep(delay, rt.abort.signal);
    delay = Math.min(delay * 2, 5 * 60_000);
  }
}

async function registerWebhook(rt: Runtime): Promise<void> {
  const { publicUrl } = getConfig();
  const url = `${publicUrl}${WEBHOOK_PATH}`;
  let delay = 2_000;
  while (!rt.abort.signal.aborted) {
    try {
      await rt.bot.api.setWebhook(url, {
        secret_token: rt.cfg.webhookSecret,
        allowed_updates: ['message'],
        max_connections: 20,
      });
      console.log(`[telegram] webhook registered: ${url}`);
      ensureInit(rt).catch((err) => console.error('[telegram] getMe failed:', (err as Error).message));
      return;
    } catch (err) {
      console.error(`[telegram] setWebhook failed: ${(err as Error).message}`);
      if (!isTransient(err)) return;
    }
    await sleep(delay, rt.abort.signal);
    delay = Math.min(delay * 2, 5 * 60_000);
  }
}

/** Checks Telegram's X-Telegram-Bot-Api-Secret-Token header (constant time). */
export function verifyWebhookRequest(request: Request): TelegramConfig {
  const cfg = getConfig().telegram;
  if (cfg?.mode !== 'webhook') {
    throw new ApiError('telegram_disabled', 'The Telegram webhook is not enabled on this server.');
  }
  const given = request.headers.get('x-telegram-bot-api-secret-token') ?? '';
  const digest = (v: string) => createHmac('sha256', 'pb-telegram-compare').update(v).digest();
  if (!given || !timingSafeEqual(digest(given), digest(cfg.webhookSecret))) {
    throw new ApiError('unauthorized', 'Missing or wrong X-Telegram-Bot-Api-Secret-Token.');
  }
  return cfg;
}

/** Handles one update that came by webhook. Resolves once it is handled (or was a duplicate). */
export async function handleTelegramUpdate(update: Update): Promise<void> {
  const rt = runtime();
  if (!rt) throw new ApiError('telegram_disabled', 'The Telegram bot is not configured on this server.');
  await ensureInit(rt);
  await rt.bot.handleUpdate(update);
}

/** Stops polling, webhook retries and the notifier, and waits for deliveries in flight. */
export async function stopTelegram(): Promise<void> {
  const rt = g.__pbTelegram;
  if (!rt) return;
  g.__pbTelegram = undefined;
  rt.abort.abort();
  rt.notifier?.stop();
  if (rt.bot.isRunning()) await rt.bot.stop().catch(() => {});
  await rt.polling;
  await rt.webhook;
  await rt.notifier?.idle();
}
