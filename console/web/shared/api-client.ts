/**
 * The browser's one way to talk to its console server. Same origin, the
 * session travels in the cookie, and every mutating call carries a JSON body
 * with a JSON content type because the server refuses anything else as CSRF
 * protection. Failures become ApiFailure with the server's message; a 401
 * from any call tells the page the session is gone so it can show the login.
 */
import type { ApiError } from '../../api';
import { ApiFailure } from './api-failure';

interface CallOptions {
  /** The login call answers 401 for a wrong password: that is not a lost session. */
  unauthorizedIsAnswer?: boolean;
}

let unauthorizedListener: () => void = () => undefined;

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

function failureFrom(status: number, body: unknown, statusText: string): ApiFailure {
  if (isApiError(body)) return new ApiFailure(status, String(body.error.code), body.error.message);
  return new ApiFailure(status, `HTTP_${status}`, `The server answered ${status} ${statusText}`.trim());
}

async function call<T>(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ApiFailure(0, 'UNREACHABLE', `The console server cannot be reached (${reason})`);
  }
  const text = response.status === 204 ? '' : await response.text();
  let parsed: unknown;
  let parseFailed = false;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parseFailed = true;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && !options.unauthorizedIsAnswer) unauthorizedListener();
    throw failureFrom(response.status, parsed, response.statusText);
  }
  if (parseFailed) throw new ApiFailure(response.status, 'BAD_ANSWER', `The server's answer to ${path} is not JSON`);
  return parsed as T;
}

export const api = {
  get<T>(path: string): Promise<T> {
    return call<T>('GET', path, undefined, {});
  },
  /** Mutating calls always send a JSON body, `{}` when there is nothing to say. */
  post<T>(path: string, body: object = {}, options: CallOptions = {}): Promise<T> {
    return call<T>('POST', path, body, options);
  },
  /** One listener: the console shell, which swaps the page back to the login form. */
  onUnauthorized(listener: () => void): void {
    unauthorizedListener = listener;
  },
};
