import { assertMayActOnSession } from '@/lib/event-rules';
import { authorize, json, route } from '@/lib/http';
import { loadSession } from '@/lib/sessions';
import { telegramDeepLink } from '@/lib/telegram/links';

type P = { id: string };

/** The booth's Telegram deep link for a session: 404 telegram_disabled when the bot is off. */
export const GET = route<P>(async (request, { id }) => {
  const caller = await authorize(request, 'booth');
  if (caller.eventId) assertMayActOnSession(caller, await loadSession(id));
  const { link, botUsername } = await telegramDeepLink(id);
  return json({ link, bot_username: botUsername });
});
