import { cleanupExpired } from '@/lib/cleanup';
import { authorize, json, methodNotAllowed, route } from '@/lib/http';

export const POST = route(async (request) => {
  authorize(request, 'admin');
  return json(await cleanupExpired());
});

const notAllowed = methodNotAllowed('POST');
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
