/**
 * The error codes of the API: the HTTP status of each, and whether trying again may help (a
 * client offers "retry" for those). Every error body has one shape: {"error": {"code", "message"}}.
 */
const table = {
  invalid_json: { status: 400 },
  invalid_request: { status: 400 },
  invalid_type: { status: 400 },
  invalid_status: { status: 400 },
  invalid_data: { status: 400 },
  invalid_layout: { status: 400 },
  invalid_query: { status: 400 },
  missing_photo: { status: 400 },
  missing_frame: { status: 400 },
  invalid_event: { status: 400 },
  invalid_path: { status: 400 },
  unauthorized: { status: 401 },
  invalid_token: { status: 401 },
  invalid_code: { status: 401 },
  forbidden: { status: 403 },
  consent_required: { status: 403 },
  session_not_found: { status: 404 },
  photo_not_found: { status: 404 },
  result_not_ready: { status: 404 },
  telegram_disabled: { status: 404 },
  event_not_found: { status: 404 },
  booth_not_found: { status: 404 },
  picture_not_found: { status: 404 },
  gallery_not_found: { status: 404 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  request_timeout: { status: 408, retry: true },
  photo_limit_reached: { status: 409 },
  session_closed: { status: 409 },
  no_photos: { status: 409 },
  default_event: { status: 409 },
  session_expired: { status: 410 },
  picture_expired: { status: 410 },
  photo_too_large: { status: 413 },
  data_too_large: { status: 413 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  invalid_image: { status: 422 },
  invalid_frame: { status: 422 },
  too_many_requests: { status: 429, retry: true },
  internal_error: { status: 500, retry: true },
  server_busy: { status: 503, retry: true },
  storage_unavailable: { status: 507, retry: true },
} as const satisfies Record<string, { status: number; retry?: true }>;

export type ErrorCode = keyof typeof table;

export const ERROR_STATUS = Object.fromEntries(
  Object.entries(table).map(([code, { status }]) => [code, status]),
) as { readonly [C in ErrorCode]: (typeof table)[C]['status'] };

/**
 * The codes a browser client makes itself: no answer at all (`network_error`), or an answer that
 * is not the API's JSON (`server_error`, e.g. a proxy's 502 page). Both may pass.
 */
export const CLIENT_ERROR_CODES = ['network_error', 'server_error'] as const;
export type ClientErrorCode = ErrorCode | (typeof CLIENT_ERROR_CODES)[number];

/** Whether trying the same request again may succeed (the server or the network was the trouble). */
export function isRetryable(code: string): boolean {
  if ((CLIENT_ERROR_CODES as readonly string[]).includes(code)) return true;
  return Object.hasOwn(table, code) && 'retry' in table[code as ErrorCode];
}

export interface ErrorJson {
  error: { code: string; message: string };
}

export function errorBody(code: ErrorCode, message: string, extra?: Record<string, unknown>) {
  return { error: { code, message }, ...extra };
}
