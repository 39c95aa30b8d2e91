import type { Update } from 'grammy/types';
import { z } from 'zod';
import { ApiError } from '@/lib/errors';
import { json, parseJsonText, readBodyLimited, route } from '@/lib/http';
import { acceptTelegramUpdate, verifyWebhookRequest } from '@/lib/telegram/runtime';

/**
 * Telegram's webhook (TELEGRAM_MODE=webhook): one update per POST, proven by the secret token
 * registered with setWebhook. Answered 200 once the update is stored in the inbox (processed
 * right after, in the background); a copy already stored is answered 200 and dropped. When it
 * cannot be stored the answer is 500 and Telegram sends the update again.
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
  await acceptTelegramUpdate(update);
  return json({ ok: true });
});
