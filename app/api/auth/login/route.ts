import { z } from 'zod';
import { AUTH_COOKIE, COOKIE_MAX_AGE_S, checkLoginRate, cookieValueFor, roleForToken } from '@/lib/auth';
import { ApiError } from '@/lib/errors';
import { json, readJson, route } from '@/lib/http';

const bodySchema = z.object({ token: z.string().max(512).default('') });

export const POST = route(async (request) => {
  checkLoginRate(request);
  const { token } = await readJson(request, bodySchema);
  const role = token ? roleForToken(token) : null;
  if (!role) throw new ApiError('invalid_token', 'That token is not right.');
  const secure =
    new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
  const cookie = [
    `${AUTH_COOKIE}=${cookieValueFor(role)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${COOKIE_MAX_AGE_S}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
  return json({ role }, 200, { 'Set-Cookie': cookie });
});
