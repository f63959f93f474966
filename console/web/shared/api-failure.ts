/**
 * A failed call to the console server, carrying the server's own error code
 * and message (ApiError in api.ts) so the page can show the person exactly
 * what the server said instead of a generic "something went wrong".
 */

export class ApiFailure extends Error {
  /** The HTTP status; 0 when the server could not be reached at all. */
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
}
