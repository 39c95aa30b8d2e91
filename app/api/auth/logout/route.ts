import { authCookieValue, endLogin, requireOwnOrigin } from '@/lib/auth';
import { clearedAuthCookie } from '@/lib/cookies';
import { beforeBody, json, route } from '@/lib/http';

export const POST = route(async (request) => {
  await beforeBody(request, () => requireOwnOrigin(request));
  // The login is deleted on the server: the cookie stops working everywhere, not only here.
  await endLogin(authCookieValue(request));
  return json({ ok: true }, 200, { 'Set-Cookie': clearedAuthCookie(request) });
});
