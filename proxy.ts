import { type NextRequest, NextResponse } from 'next/server';
import { LOCALE_COOKIE, resolveLocale } from '@/i18n/locale';
import {
  TAKE_HOME_FIRST_OPEN_HEADER,
  TAKE_HOME_OPEN_WINDOW_S,
  TAKE_HOME_OPENED_COOKIE,
} from '@/lib/event-stats';
import { expiredHtml, pictureExpiredHtml } from '@/lib/expired-html';
import { findPicture, isPictureExpired } from '@/lib/pictures';
import { isExpired, loadSession } from '@/lib/sessions';

/**
 * An expired guest link must answer HTTP 410 with a friendly page. A page cannot set that status
 * (and a rewrite's status is dropped when a page renders), so this proxy answers it itself.
 * It matches only /s/:id, never /api: uploads must not pass through a proxy that buffers bodies.
 * Unknown and malformed ids pass through: the page answers them with 404. The same for a
 * take-home picture past its event's retention (/p/:token).
 */
export async function proxy(request: NextRequest) {
  const [, kind, id = ''] = request.nextUrl.pathname.split('/');
  let expired = false;
  let found = false;
  try {
    expired = kind === 'p' ? isPictureExpired(await findPicture(id)) : isExpired(await loadSession(id));
    found = true;
  } catch {
    // not found or not a UUID: the page renders its 404
  }
  if (!expired) {
    if (kind !== 'p' || !found) return NextResponse.next();
    // The page counts this browser's open of the picture once (see lib/event-stats.ts). Cookies set
    // here are visible to the page's cookies() already, so the proxy tells it in a header it owns
    // (whatever the client sent under that name is replaced).
    const first = !request.cookies.has(TAKE_HOME_OPENED_COOKIE);
    const forwarded = new Headers(request.headers);
    forwarded.set(TAKE_HOME_FIRST_OPEN_HEADER, first ? '1' : '0');
    const next = NextResponse.next({ request: { headers: forwarded } });
    next.cookies.set(TAKE_HOME_OPENED_COOKIE, '1', {
      path: `/p/${id}`,
      maxAge: TAKE_HOME_OPEN_WINDOW_S,
      httpOnly: true,
      sameSite: 'lax',
    });
    return next;
  }
  const locale = resolveLocale(
    request.cookies.get(LOCALE_COOKIE)?.value,
    request.headers.get('accept-language'),
  );
  return new NextResponse(kind === 'p' ? pictureExpiredHtml(locale) : expiredHtml(locale), {
    status: 410,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Language': locale,
      Vary: 'Accept-Language, Cookie',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    },
  });
}

export const config = { matcher: ['/s/:id', '/p/:token'] };
