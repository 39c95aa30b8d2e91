import { AUTH_COOKIE } from '@/lib/auth';
import { json, route } from '@/lib/http';

export const POST = route(() =>
  json({ ok: true }, 200, { 'Set-Cookie': `${AUTH_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` }),
);
