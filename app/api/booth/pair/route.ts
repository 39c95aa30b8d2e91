import { COOKIE_MAX_AGE_S, requireLoginRequest } from '@/lib/auth';
import { checkPairRate, pairSchema, pairWithCode, serializeBooth } from '@/lib/booths';
import { authCookie } from '@/lib/cookies';
import { beforeBody, json, readJson, route } from '@/lib/http';

/**
 * A kiosk pairs itself with the code the admin gave it and gets the booth's login cookie. The
 * same locks as login: a JSON body only and no foreign Origin (no other site can pair a browser),
 * and a per-address attempt limit counted in the database, so every worker shares it.
 */
export const POST = route(async (request) => {
  await beforeBody(request, async () => {
    requireLoginRequest(request, '{"code": "123456"}');
    await checkPairRate(request);
  });
  const { code } = await readJson(request, pairSchema);
  const { booth, cookie } = await pairWithCode(code);
  return json({ booth: serializeBooth(booth) }, 200, {
    'Set-Cookie': authCookie(cookie, request, COOKIE_MAX_AGE_S),
  });
});
