import { authorize, json, route } from '@/lib/http';
import { telegramDeepLink } from '@/lib/telegram/links';

type P = { id: string };

/** The booth's Telegram deep link for a session: 404 telegram_disabled when the bot is off. */
export const GET = route<P>((request, { id }) => {
  authorize(request, 'booth');
  const { link, botUsername } = telegramDeepLink(id);
  return json({ link, bot_username: botUsername });
});
