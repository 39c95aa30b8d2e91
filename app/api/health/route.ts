import { json, methodNotAllowed } from '@/lib/http';

export const dynamic = 'force-dynamic';

export function GET() {
  return json({ ok: true });
}

const notAllowed = methodNotAllowed('GET');
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
