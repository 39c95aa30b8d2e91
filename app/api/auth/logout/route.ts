import { authCookieValue, endLogin, requireOwnOrigin } from '@/lib/auth';
import { clearedAuthCookie } from '@/lib/cookies';
import { beforeBody, json, methodNotAllowed, route } from '@/lib/http';

export const POST = route(async (request) => {
  await beforeBody(request, () => requireOwnOrigin(request));
  // The login is deleted on the server: the cookie stops working everywhere, not only here.
  endLogin(authCookieValue(request));
  return json({ ok: true }, 200, { 'Set-Cookie': clearedAuthCookie(request) });
});

const notAllowed = methodNotAllowed('POST');
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
