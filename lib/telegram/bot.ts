import { Bot, type Context, InlineKeyboard } from 'grammy';
import {
  findEvent,
  findPhotoByTelegramUpdate,
  findSession,
  recordTelegramConsent,
  type SessionWithCounts,
} from '@/db/queries';
import { getConfig, type TelegramConfig } from '../config';
import { ApiError } from '../errors';
import { addUploadedPhoto, assertCanUpload } from '../photos';
import { effectiveStatus } from '../sessions';
import { downloadLimitBytes, downloadTelegramFile } from './files';
import { type BotLang, botLanguage, errorKey, eventLabel, type MessageKey, t } from './i18n';
import { type ChatIdentity, linkChat, recordTelegramUser, sessionForChat } from './links';
import { DEFAULT_RETRY, type RetryOptions, retryTransformer } from './retry';

/**
 * The bot: one more entry point to the session rules, with none of its own. /start <token> links
 * the chat, photos and image files go through addUploadedPhoto as a guest's upload would, domain
 * errors become a reply in the user's language. Updates come from the inbox (./inbox.ts), which may
 * hand the same update over again after a crash: a photo is stored once per update_id.
 */

export interface BotOptions {
  retry?: Partial<RetryOptions>;
}

export function createBot(cfg: TelegramConfig, opts: BotOptions = {}): Bot {
  const retry = retryOptions(opts.retry);
  const bot = new Bot(cfg.botToken, { client: { apiRoot: cfg.apiRoot, timeoutSeconds: 60 } });
  bot.api.config.use(retryTransformer(retry));
  // A photobooth conversation is one-to-one; groups and channels are ignored.
  bot.use(async (ctx, next) => {
    if (ctx.chat?.type !== 'private' || !ctx.from) return;
    await next();
  });

  // Nothing escapes: a failure is logged and the guest asked to try again, and the update is done
  // (the inbox processes an update again only when a crash left it unfinished).
  bot.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      console.error(`[telegram] update ${ctx.update.update_id} failed:`, err);
      await ctx.reply(t(lang(ctx), 'error_generic')).catch(() => {});
    }
  });

  bot.command('start', async (ctx) => {
    const l = lang(ctx);
    const token = ctx.match.trim();
    if (!token) return void (await ctx.reply(t(l, 'welcome')));
    const who = identity(ctx);
    const result = await linkChat(token, who);
    if (!result.ok) {
      const key: MessageKey =
        result.reason === 'expired'
          ? 'error_session_expired'
          : result.reason === 'taken'
            ? 'link_taken'
            : 'link_unknown';
      return void (await ctx.reply(t(l, key)));
    }
    const { session } = result;
    // The greeting names the session's event and its own limits (its event's when it was made).
    const event = eventLabel(await findEvent(session.eventId));
    await ctx.reply(
      t(l, session.type === 'upload' ? 'linked_upload' : 'linked_download', {
        ...limits(session.photoCount, session),
        event: event ? `🎉 ${event}\n` : '',
      }),
    );
    // Published as a session change: the booth sees who linked, the notifier sends a picture
    // that is already there.
    await recordTelegramUser(session.id, who);
    const consent = await consentTextFor(session);
    if (consent && session.type === 'upload' && !result.link.consentedAt)
      await askConsent(ctx, l, session.id, consent);
  });

  // The "I agree" button under the event's consent text: recorded for the session this chat linked.
  bot.callbackQuery(CONSENT_DATA, async (ctx) => {
    const l = lang(ctx);
    const sessionId = ctx.match[1] ?? '';
    const chatId = ctx.chat?.id;
    const ok = chatId !== undefined && (await recordTelegramConsent(sessionId, chatId, new Date()));
    const found = ok ? await findSession(sessionId) : undefined;
    if (!found || effectiveStatus(found) === 'expired') {
      await ctx.answerCallbackQuery({ text: t(l, 'consent_gone') });
      return;
    }
    await ctx.answerCallbackQuery({ text: t(l, 'consent_accepted') });
    // The button goes; the text stays with a line saying it was accepted.
    const text =
      ctx.callbackQuery.message && 'text' in ctx.callbackQuery.message ? ctx.callbackQuery.message.text : '';
    await ctx.editMessageText(`${text ?? ''}\n\n${t(l, 'consent_accepted')}`).catch(() => {});
    await ctx.reply(t(l, 'consent_thanks'));
  });

  bot.command('help', async (ctx) => {
    await ctx.reply(t(lang(ctx), 'help'));
  });

  bot.command('status', async (ctx) => {
    const l = lang(ctx);
    const found = await sessionForChat(ctx.chat.id);
    await ctx.reply(found ? statusText(l, found.session) : t(l, 'no_session'));
  });

  bot.on('message:photo', async (ctx) => {
    // Telegram sends every size it made; the last is the largest.
    const best = ctx.message.photo.at(-1);
    if (best) await receivePhoto(ctx, best.file_id, best.file_size);
  });

  // Sent "as a file": the original bytes, the best quality. Whether it is an image is decided by
  // the photo pipeline, exactly as for a web upload.
  bot.on('message:document', async (ctx) => {
    await receivePhoto(ctx, ctx.message.document.file_id, ctx.message.document.file_size);
  });

  bot.on('message', async (ctx) => {
    await ctx.reply(t(lang(ctx), 'other'));
  });

  async function receivePhoto(ctx: Context, fileId: string, size: number | undefined): Promise<void> {
    const l = lang(ctx);
    const chatId = ctx.chat?.id;
    const found = chatId === undefined ? null : await sessionForChat(chatId);
    if (!found) return void (await ctx.reply(t(l, 'no_session')));
    // This update was processed before and its photo stored (the process stopped before the
    // update was marked done): confirm it again rather than refuse it or store it twice.
    const updateId = ctx.update.update_id;
    const stored = await findPhotoByTelegramUpdate(updateId);
    const storedIn = stored && (await findSession(stored.sessionId));
    if (storedIn) return void (await ctx.reply(countText(l, storedIn)));
    // The event asks for consent: nothing is downloaded or stored before the chat's "I agree".
    const consent = await consentTextFor(found.session);
    if (consent && !found.link.consentedAt && found.session.type === 'upload') {
      await ctx.reply(t(l, 'consent_first'));
      return void (await askConsent(ctx, l, found.session.id, consent));
    }
    let file: Awaited<ReturnType<typeof downloadTelegramFile>> | undefined;
    try {
      // Refuse at once what would be refused after the download (expired, full, closed).
      assertCanUpload(found.session, 'guest');
      file = await downloadTelegramFile(ctx.api, cfg, fileId, size, retry);
      const { session } = await addUploadedPhoto(found.session.id, file.path, 'guest', {
        telegramFileId: fileId,
        telegramUpdateId: updateId,
      });
      await ctx.reply(countText(l, session));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      await ctx.reply(errorText(l, err, downloadLimitBytes(cfg), found.session));
    } finally {
      await file?.cleanup();
    }
  }

  return bot;
}

/** Callback data of the consent button: `consent:<session id>` (well under Telegram's 64 bytes). */
const CONSENT_DATA = /^consent:([0-9a-f-]{36})$/;

/** The event's consent text for this session, or null when its event asks none. */
async function consentTextFor(session: SessionWithCounts): Promise<string | null> {
  const text = (await findEvent(session.eventId))?.consentText?.trim();
  return text ? text : null;
}

async function askConsent(ctx: Context, l: BotLang, sessionId: string, text: string): Promise<void> {
  await ctx.reply(t(l, 'consent_prompt', { text }), {
    reply_markup: new InlineKeyboard().text(t(l, 'consent_button'), `consent:${sessionId}`),
  });
}

export function retryOptions(overrides: Partial<RetryOptions> = {}): RetryOptions {
  return { ...DEFAULT_RETRY, ...overrides };
}

function lang(ctx: Context): BotLang {
  return botLanguage(ctx.from?.language_code);
}

function identity(ctx: Context): ChatIdentity {
  // The private-chat guard above ran: both are there.
  const chatId = ctx.chat?.id ?? 0;
  const from = ctx.from;
  return {
    chatId,
    userId: from?.id ?? chatId,
    username: from?.username ?? null,
    languageCode: from?.language_code ?? null,
  };
}

type Limits = Pick<SessionWithCounts, 'readyAt' | 'maxPhotos'>;

/** The counts of a session's messages: its own limits (its event's when it was made). */
function limits(photoCount: number, session?: Limits) {
  if (!session) {
    // No session at hand (an error without one): the default event's values from the environment.
    const { readyAtPhotos, maxUploadedPhotos } = getConfig();
    return { count: photoCount, ready_at: readyAtPhotos, max: maxUploadedPhotos };
  }
  return { count: photoCount, ready_at: session.readyAt, max: session.maxPhotos };
}

export function countText(l: BotLang, session: SessionWithCounts): string {
  const v = limits(session.photoCount, session);
  const lines = [t(l, v.count > v.ready_at ? 'count_over' : 'count', v)];
  if (v.count >= v.max) lines.push(t(l, 'count_full', v));
  else if (v.count >= v.ready_at) lines.push(t(l, 'count_ready', { left: v.max - v.count }));
  return lines.join('\n');
}

export function errorText(
  l: BotLang,
  err: ApiError,
  limitBytes = getConfig().maxUploadBytes,
  /** The session the photo was for, when the error carries none. */
  session?: Limits,
): string {
  const key = errorKey(err.code) ?? 'error_generic';
  const mb = Math.round(limitBytes / (1024 * 1024));
  return t(l, key, { ...limits(err.session?.photoCount ?? 0, err.session ?? session), mb });
}

export function statusText(l: BotLang, session: SessionWithCounts): string {
  const status = effectiveStatus(session);
  const minutes = Math.max(0, Math.ceil((session.expiresAt.getTime() - Date.now()) / 60_000));
  const v = { ...limits(session.photoCount, session), minutes };
  if (status === 'expired') return t(l, 'status_expired');
  if (status === 'completed') return t(l, 'status_completed');
  if (session.type === 'upload')
    return t(l, status === 'ready' ? 'status_upload_ready' : 'status_upload_pending', v);
  return t(l, status === 'ready' ? 'status_download_ready' : 'status_download_pending', v);
}
