import { type Bot, InputFile } from 'grammy';
import {
  claimTelegramDelivery,
  findEvent,
  findPictureOfSession,
  findTelegramLink,
  pendingTelegramDeliveries,
  releaseTelegramDelivery,
} from '@/db/queries';
import { countRead } from '../event-stats';
import { subscribeAll } from '../events';
import { baseUrlFromHeaders } from '../links';
import { loadResult, markResultFetched } from '../photos';
import { isPictureExpired, pictureUrl } from '../pictures';
import { readPhotoBuffer } from '../storage';
import { botLanguage, eventLabel, t } from './i18n';
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
  const link = await findTelegramLink(sessionId);
  if (!link?.chatId) return 'nothing';
  let result: Awaited<ReturnType<typeof loadResult>>;
  try {
    // The rule of who may have the picture when: not after expiry, not before it exists.
    result = await loadResult(sessionId);
  } catch {
    return 'nothing';
  }
  const { photo, session } = result;
  if (link.deliveredResultId === photo.id) return 'nothing';
  if (!(await claimTelegramDelivery(session.id, photo.id))) return 'nothing';
  const lang = botLanguage(link.languageCode);
  const eventName = eventLabel(await findEvent(session.eventId));
  const name = `photobooth-${photo.createdAt.toISOString().slice(0, 10)}.jpg`;
  try {
    // From the blob store (a bucket in hosted mode); one read for both sends.
    const file = await readPhotoBuffer(photo.storageKey, 'full');
    await bot.api.sendPhoto(link.chatId, new InputFile(file, name), {
      caption: t(lang, 'result_caption', { event: eventName ? `: ${eventName}` : '' }),
    });
    await bot.api.sendDocument(link.chatId, new InputFile(file, name), {
      caption: t(lang, 'result_document'),
    });
  } catch (err) {
    // A refusal (the user blocked the bot, 400/403) stays claimed: asking again would not help.
    if (isTransient(err)) await releaseTelegramDelivery(session.id, photo.id, link.deliveredResultId);
    console.error(`[telegram] could not send the picture of session ${session.id}:`, (err as Error).message);
    return 'failed';
  }
  // Counted once per delivered result: the claim above lets one send of this result through.
  await countRead(session.eventId, 'telegram_deliveries');
  // The event keeps pictures: the take-home link too, which outlives the chat's session. Read
  // now (not from before the send): the picture is made in the result's own transaction.
  const picture = await findPictureOfSession(session.id);
  if (picture && !isPictureExpired(picture)) {
    const url = pictureUrl(baseUrlFromHeaders(new Headers()), picture.token);
    const date = picture.expiresAt.toISOString().slice(0, 10);
    // Best effort: the picture itself arrived; sending it all again for a lost link is worse.
    await bot.api
      .sendMessage(link.chatId, t(lang, 'picture_link', { url, date }), {
        link_preview_options: { is_disabled: true },
      })
      .catch((err) =>
        console.error(`[telegram] could not send the picture link of ${session.id}:`, (err as Error).message),
      );
  }
  // The guest has the picture, exactly as if the phone page had fetched it.
  await markResultFetched(session.id);
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
      : setInterval(async () => {
          try {
            for (const id of await pendingTelegramDeliveries(new Date())) schedule(id);
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
