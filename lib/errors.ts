import { ERROR_STATUS, type ErrorCode } from './shared/errors';

/**
 * One error class, one status map, one JSON shape: {"error": {"code", "message"}}.
 * Domain code throws ApiError; the route wrapper (lib/http.ts) turns it into a response.
 * The codes and their statuses are in lib/shared/errors.ts, which the browser code shares.
 */
export { ERROR_STATUS, type ErrorCode, errorBody } from './shared/errors';

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
