import type { Locale } from '@/i18n/locale';
import en from '@/messages/en.json';
import ru from '@/messages/ru.json';
import { GONE_NOTICES } from './shared/notices';

/**
 * The "link expired" page as a complete, tiny HTML document. proxy.ts sends it with HTTP 410:
 * Next cannot give a rendered page a status other than 200/404, and a phone on mobile data
 * needs nothing more than this to understand what happened.
 */
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function expiredHtml(locale: Locale): string {
  const m = (locale === 'ru' ? ru : en).guest;
  const notice = GONE_NOTICES.expired;
  return goneHtml(locale, { icon: notice.icon, title: m[notice.title], body: m[notice.body] });
}

/** The page of a take-home picture past its event's retention (410 from proxy.ts). */
export function pictureExpiredHtml(locale: Locale): string {
  const m = (locale === 'ru' ? ru : en).picture;
  return goneHtml(locale, { icon: '⌛', title: m.expiredTitle, body: m.expiredBody });
}

function goneHtml(locale: Locale, notice: { icon: string; title: string; body: string }): string {
  const title = escapeHtml(notice.title);
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>
  body { margin: 0; min-height: 100dvh; background: #fafaf9; color: #171717;
    font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 36rem; margin: 0 auto; padding: 4rem 1rem; text-align: center; }
  .icon { font-size: 3.75rem; margin: 0; }
  h1 { font-size: 1.875rem; margin: 1rem 0; }
  p { font-size: 1.125rem; line-height: 1.6; color: #404040; }
</style>
</head>
<body>
<main>
<p class="icon" aria-hidden="true">${notice.icon}</p>
<h1>${title}</h1>
<p>${escapeHtml(notice.body)}</p>
</main>
</body>
</html>
`;
}
