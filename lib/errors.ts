/**
 * One error class, one status map, one JSON shape: {"error": {"code", "message"}}.
 * Domain code throws ApiError; the route wrapper (lib/http.ts) turns it into a response.
 */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  invalid_type: 400,
  invalid_status: 400,
  invalid_data: 400,
  invalid_layout: 400,
  invalid_query: 400,
  missing_photo: 400,
  invalid_path: 400,
  unauthorized: 401,
  invalid_token: 401,
  forbidden: 403,
  session_not_found: 404,
  photo_not_found: 404,
  result_not_ready: 404,
  telegram_disabled: 404,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  photo_limit_reached: 409,
  session_closed: 409,
  no_photos: 409,
  session_expired: 410,
  photo_too_large: 413,
  data_too_large: 413,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_image: 422,
  too_many_requests: 429,
  internal_error: 500,
  server_busy: 503,
  storage_unavailable: 507,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  readonly status: number;
  /** A session to include in the body (410 carries the expired session). */
  session?: import('@/db/queries').SessionWithCounts;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra top-level fields of the JSON body (e.g. the expired session). */
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export function errorBody(code: ErrorCode, message: string, extra?: Record<string, unknown>) {
  return { error: { code, message }, ...extra };
}
