import type { Update } from 'grammy/types';
import { z } from 'zod';
import { ApiError } from '@/lib/errors';
import { json, parseJsonText, readBodyLimited, route } from '@/lib/http';
import { handleTelegramUpdate, verifyWebhookRequest } from '@/lib/telegram/runtime';

/**
 * Telegram's webhook (TELEGRAM_MODE=webhook): one update per POST, proven by the secret token
 * registered with setWebhook. Answered once the update is handled; a duplicate is answered 200
 * and ignored.
 */

export const dynamic = 'force-dynamic';

const MAX_UPDATE_BYTES = 1024 * 1024;
const updateSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

export const POST = route(async (request) => {
  verifyWebhookRequest(request);
  const raw = await readBodyLimited(
    request,
    MAX_UPDATE_BYTES,
    () => new ApiError('payload_too_large', `An update is at most ${MAX_UPDATE_BYTES} bytes.`),
  );
  const update = updateSchema.parse(parseJsonText(raw)) as unknown as Update;
  await handleTelegramUpdate(update);
  return json({ ok: true });
});
