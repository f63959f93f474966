/** Test helper: runs `action`, asserts it threw a ShoalError (with `code`, when given), and returns it. */
import { ShoalError } from '../errors';

export function thrownShoalError(action: () => unknown, code?: string): ShoalError {
  let caught: unknown;
  try {
    action();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ShoalError);
  if (code !== undefined) expect((caught as ShoalError).code).toBe(code);
  return caught as ShoalError;
}
