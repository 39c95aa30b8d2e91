import { randomBytes } from 'node:crypto';
import {
  findTelegramLink,
  findTelegramLinkByToken,
  insertTelegramLinkIfMissing,
  latestTelegramLinkForChat,
  linkTelegramChat,
  type SessionWithCounts,
} from '@/db/queries';
import type { TelegramLinkRow } from '@/db/schema';
import { getConfig, type TelegramConfig } from '../config';
import { ApiError } from '../errors';
import { isExpired, loadLiveSession, loadSession, updateSession } from '../sessions';

/**
 * Deep links and chat links. The booth shows https://t.me/<bot>?start=<token>: the token is random
 * (192 bits, 32 characters of A-Za-z0-9_-, inside Telegram's 64-character payload limit), stored
 * beside the session, and says nothing about the session itself. /start <token> links the chat.
 */

const START_TOKEN_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function telegramConfig(): TelegramConfig | null {
  return getConfig().telegram;
}

export function requireTelegram(): TelegramConfig {
  const cfg = telegramConfig();
  if (!cfg) throw new ApiError('telegram_disabled', 'The Telegram bot is not configured on this server.');
  return cfg;
}

/** The start payload of a session, made on first use and the same afterwards. */
export async function startTokenFor(sessionId: string): Promise<string> {
  await insertTelegramLinkIfMissing({
    sessionId,
    startToken: randomBytes(24).toString('base64url'),
    createdAt: new Date(),
  });
  const link = await findTelegramLink(sessionId);
  if (!link) throw new ApiError('session_not_found', 'The session was deleted.');
  return link.startToken;
}

/** The t.me deep link of a live session (404 telegram_disabled when the bot is off). */
export async function telegramDeepLink(sessionId: string): Promise<{
  link: string;
  botUsername: string;
  session: SessionWithCounts;
}> {
  const cfg = requireTelegram();
  const session = await loadLiveSession(sessionId);
  const token = await startTokenFor(session.id);
  return { link: `https://t.me/${cfg.botUsername}?start=${token}`, botUsername: cfg.botUsername, session };
}

export interface ChatIdentity {
  chatId: number;
  userId: number;
  username: string | null;
  languageCode: string | null;
}

export type LinkResult =
  | { ok: true; session: SessionWithCounts; link: TelegramLinkRow }
  | { ok: false; reason: 'unknown' | 'expired' | 'taken' };

/**
 * Links the chat to the session of a start token. A session belongs to one Telegram user: the
 * first to start it (or the one the booth named in telegram_user_id); that user may start again.
 * The session's telegram_user_id / telegram_username are set through the session rules
 * (updateSession), which also tells the booth.
 */
export async function linkChat(startToken: string, who: ChatIdentity): Promise<LinkResult> {
  if (!START_TOKEN_RE.test(startToken)) return { ok: false, reason: 'unknown' };
  const link = await findTelegramLinkByToken(startToken);
  if (!link) return { ok: false, reason: 'unknown' };
  let session: SessionWithCounts;
  try {
    session = await loadSession(link.sessionId);
  } catch {
    return { ok: false, reason: 'unknown' };
  }
  if (isExpired(session)) return { ok: false, reason: 'expired' };
  if (session.telegramUserId != null && session.telegramUserId !== who.userId)
    return { ok: false, reason: 'taken' };
  const linked = await linkTelegramChat(session.id, {
    chatId: who.chatId,
    userId: who.userId,
    languageCode: who.languageCode,
    linkedAt: new Date(),
  });
  if (!linked) return { ok: false, reason: 'taken' };
  return { ok: true, session, link: (await findTelegramLink(session.id)) ?? link };
}

/** Records the Telegram user on the session (after the greeting, so the chat reads in order). */
export async function recordTelegramUser(
  sessionId: string,
  who: ChatIdentity,
): Promise<SessionWithCounts | null> {
  try {
    return await updateSession(sessionId, { telegramUserId: who.userId, telegramUsername: who.username });
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

/** The session this chat linked last (possibly expired), or null when it never linked one. */
export async function sessionForChat(
  chatId: number,
): Promise<{ session: SessionWithCounts; link: TelegramLinkRow } | null> {
  const link = await latestTelegramLinkForChat(chatId);
  if (!link) return null;
  try {
    return { session: await loadSession(link.sessionId), link };
  } catch {
    return null;
  }
}
