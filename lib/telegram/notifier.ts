import { type Bot, InputFile } from 'grammy';
import {
  claimTelegramDelivery,
  findTelegramLink,
  pendingTelegramDeliveries,
  releaseTelegramDelivery,
} from '@/db/queries';
import { getConfig } from '../config';
import { subscribeAll } from '../events';
import { loadResult, markResultFetched } from '../photos';
import { filePath } from '../storage';
import { botLanguage, t } from './i18n';
import { isTransient } from './retry';

/**
 * Sends a session's finished picture to the chat linked to it: as a photo (shown inline) and as a
 * document (the full-quality file). Triggered by the session's events in this process and by a
 * periodic scan (a result saved by another process, or a send that failed and may now pass).
 * The database claim (delivered_result_id) makes each result go out once, whichever process or
 * trigger gets there first; a replaced result is sent again.
 */

export type DeliveryOutcome = 'sent' | 'nothing' | 'failed';

export async function deliverResult(bot: Bot, sessionId: string): Promise<DeliveryOutcome> {
  const link = findTelegramLink(sessionId);
  if (!link?.chatId) return 'nothing';
  let result: ReturnType<typeof loadResult>;
  try {
    // The rule of who may have the picture when: not after expiry, not before it exists.
    result = loadResult(sessionId);
  } catch {
    return 'nothing';
  }
  const { photo, session } = result;
  if (link.deliveredResultId === photo.id) return 'nothing';
  if (!claimTelegramDelivery(session.id, photo.id)) return 'nothing';
  const lang = botLanguage(link.languageCode);
  const file = filePath(photo.storageKey, 'full');
  const { eventName } = getConfig();
  const name = `photobooth-${photo.createdAt.toISOString().slice(0, 10)}.jpg`;
  try {
    await bot.api.sendPhoto(link.chatId, new InputFile(file, name), {
      caption: t(lang, 'result_caption', { event: eventName ? `: ${eventName}` : '' }),
    });
    await bot.api.sendDocument(link.chatId, new InputFile(file, name), {
      caption: t(lang, 'result_document'),
    });
  } catch (err) {
    // A refusal (the user blocked the bot, 400/403) stays claimed: asking again would not help.
    if (isTransient(err)) releaseTelegramDelivery(session.id, photo.id, link.deliveredResultId);
    console.error(`[telegram] could not send the picture of session ${session.id}:`, (err as Error).message);
    return 'failed';
  }
  // The guest has the picture, exactly as if the phone page had fetched it.
  markResultFetched(session.id);
  return 'sent';
}

export interface Notifier {
  stop: () => void;
  /** Resolves when no delivery is running (tests, shutdown). */
  idle: () => Promise<void>;
}

export function startNotifier(bot: Bot, opts: { scanIntervalMs: number | null }): Notifier {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();

  const schedule = (sessionId: string) => {
    if (running.has(sessionId)) {
      again.add(sessionId);
      return;
    }
    const run = (async () => {
      // Off the publisher's call stack: publish() must stay cheap for the web API.
      await new Promise((r) => setImmediate(r));
      do {
        again.delete(sessionId);
        try {
          await deliverResult(bot, sessionId);
        } catch (err) {
          console.error(`[telegram] delivery for ${sessionId} failed:`, err);
        }
      } while (again.has(sessionId));
    })().finally(() => running.delete(sessionId));
    running.set(sessionId, run);
  };

  const unsubscribe = subscribeAll((event) => {
    if (event.kind === 'changed') schedule(event.sessionId);
  });
  const timer =
    opts.scanIntervalMs === null
      ? undefined
      : setInterval(() => {
          try {
            for (const id of pendingTelegramDeliveries(new Date())) schedule(id);
          } catch (err) {
            console.error('[telegram] delivery scan failed:', err);
          }
        }, opts.scanIntervalMs);
  timer?.unref();

  return {
    stop: () => {
      unsubscribe();
      if (timer) clearInterval(timer);
    },
    idle: async () => {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}
