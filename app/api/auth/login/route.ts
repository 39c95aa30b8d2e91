import { z } from 'zod';
import { COOKIE_MAX_AGE_S, checkLoginRate, createLogin, requireLoginRequest, roleForToken } from '@/lib/auth';
import { authCookie } from '@/lib/cookies';
import { ApiError } from '@/lib/errors';
import { beforeBody, json, readJson, route } from '@/lib/http';

const bodySchema = z.object({ token: z.string().max(512).default('') });

export const POST = route(async (request) => {
  await beforeBody(request, async () => {
    requireLoginRequest(request, '{"token": "…"}');
    await checkLoginRate(request);
  });
  const { token } = await readJson(request, bodySchema);
  const role = token ? roleForToken(token) : null;
  if (!role) throw new ApiError('invalid_token', 'That token is not right.');
  return json({ role }, 200, {
    'Set-Cookie': authCookie(await createLogin(role), request, COOKIE_MAX_AGE_S),
  });
});
