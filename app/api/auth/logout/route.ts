import { AUTH_COOKIE } from '@/lib/auth';
import { json, methodNotAllowed, route } from '@/lib/http';

export const POST = route(() =>
  json({ ok: true }, 200, { 'Set-Cookie': `${AUTH_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` }),
);

const notAllowed = methodNotAllowed('POST');
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
