import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { getConfig, type TelegramConfig } from '../config';
import { ApiError } from '../errors';
import { createBot } from './bot';
import { type Inbox, startInbox, storeTelegramUpdates } from './inbox';
import { type Notifier, startNotifier } from './notifier';
import { isTransient, type RetryOptions, sleep } from './retry';

/**
 * Running the bot: one instance per process (kept on globalThis, as Next may load this module
 * twice), fed by the webhook route, by long polling, or by `npm run bot`. Every update goes through
 * the inbox (./inbox.ts): stored first, acknowledged to Telegram after, processed from the
 * database. Nothing here blocks the web API: polling and webhook registration run in the
 * background and retry with backoff.
 */

export const WEBHOOK_PATH = '/api/telegram/webhook';
/** Messages, and taps on the consent button (callback queries). */
const ALLOWED_UPDATES: ('message' | 'callback_query')[] = ['message', 'callback_query'];

interface Runtime {
  cfg: TelegramConfig;
  bot: Bot;
  abort: AbortController;
  inbox: Inbox;
  init?: Promise<void>;
  inboxScan?: ReturnType<typeof setInterval>;
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
  const bot = createBot(cfg, { retry });
  const rt: Runtime = {
    cfg,
    bot,
    abort: new AbortController(),
    inbox: startInbox({
      ready: () => ensureInit(rt),
      handle: (update) => bot.handleUpdate(update),
    }),
  };
  g.__pbTelegram = rt;
  return rt;
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
  /**
   * This process owns the inbox: at start it resumes what a stopped process left pending, then
   * it rescans every `inboxScanMs` (retries, updates whose owner died). The leader, or `npm run bot`.
   */
  inbox?: boolean;
  inboxScanMs?: number;
}

export async function startTelegram(
  opts: StartOptions,
): Promise<{ webhookRegistered: Promise<void> } | null> {
  const rt = runtime(opts.retry);
  if (!rt) return null;
  if (opts.notifier && !rt.notifier) {
    rt.notifier = startNotifier(rt.bot, { scanIntervalMs: opts.scanIntervalMs ?? null });
  }
  if (opts.inbox && !rt.inboxScan) {
    void rt.inbox.scan();
    rt.inboxScan = setInterval(() => void rt.inbox.scan(), opts.inboxScanMs ?? 10_000);
    rt.inboxScan.unref();
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
    inbox: leader,
  });
}

/**
 * Long polling, by hand rather than grammY's bot.start(): the next offset (which tells Telegram
 * the updates below it arrived) is asked for only once the batch is stored in the inbox. A batch
 * the database refused is fetched again.
 */
async function pollForever(rt: Runtime, timeoutSeconds: number): Promise<void> {
  const signal = rt.abort.signal;
  // grammY types its signals with the abort-controller package's AbortSignal; Node's is the same thing.
  const apiSignal = signal as unknown as Parameters<Bot['api']['getUpdates']>[1];
  let delay = 2_000;
  let started = false;
  let offset = 0;
  while (!signal.aborted) {
    try {
      if (!started) {
        await ensureInit(rt);
        // Polling and a webhook exclude each other.
        await rt.bot.api.deleteWebhook({ drop_pending_updates: false }, apiSignal);
        started = true;
        console.log(`[telegram] @${rt.bot.botInfo.username}: long polling for updates`);
      }
      const updates = await rt.bot.api.getUpdates(
        { offset, timeout: timeoutSeconds, allowed_updates: ALLOWED_UPDATES },
        apiSignal,
      );
      if (updates.length > 0) {
        try {
          await storeTelegramUpdates(updates);
        } catch (err) {
          throw new Error(`could not store ${updates.length} updates (${(err as Error).message})`);
        }
        offset = Math.max(...updates.map((u) => u.update_id)) + 1;
        rt.inbox.kick();
      }
      delay = 2_000;
      continue;
    } catch (err) {
      if (signal.aborted) break;
      // 409: another process polls (or a webhook is set by another deployment); 401: a bad token;
      // or the database refused the batch (asked for again, the offset unchanged).
      console.error(`[telegram] polling stopped: ${(err as Error).message}; retrying in ${delay / 1000} s`);
    }
    await sleep(delay, signal);
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
        allowed_updates: ALLOWED_UPDATES,
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

/**
 * Takes one update that came by webhook: resolves once it is stored in the inbox (or was stored
 * before: a copy), and processes it in the background. Throws when it could not be stored, so
 * the webhook answers an error and Telegram sends it again.
 */
export async function acceptTelegramUpdate(update: Update): Promise<void> {
  const rt = runtime();
  if (!rt) throw new ApiError('telegram_disabled', 'The Telegram bot is not configured on this server.');
  await storeTelegramUpdates([update]);
  rt.inbox.kick();
}

/** Stops polling, webhook retries, the inbox and the notifier, and waits for the work in flight. */
export async function stopTelegram(): Promise<void> {
  const rt = g.__pbTelegram;
  if (!rt) return;
  g.__pbTelegram = undefined;
  rt.abort.abort();
  rt.notifier?.stop();
  if (rt.inboxScan) clearInterval(rt.inboxScan);
  rt.inbox.stop();
  await rt.polling;
  await rt.webhook;
  // The update in hand is finished; what is left stays pending for the next start.
  await rt.inbox.idle();
  await rt.notifier?.idle();
}
