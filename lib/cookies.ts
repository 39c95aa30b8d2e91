import { AUTH_COOKIE } from './auth';
import { isHttps } from './links';

/** The login cookie's attributes, in one place (login sets it, logout clears it). */
export function authCookie(value: string, request: Request, maxAgeSeconds: number): string {
  return [
    `${AUTH_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(isHttps(request) ? ['Secure'] : []),
  ].join('; ');
}

export function clearedAuthCookie(request: Request): string {
  return authCookie('', request, 0);
}
