/**
 * Errors raised by the differential-privacy library. Callers branch on
 * `err.code`, never on the class.
 */
import { ShoalError } from '../errors';

export type PrivacyErrorCode =
  /** A parameter is out of its domain (δ outside (0, 1), a negative noise multiplier, an empty order list…). */
  | 'PRIVACY_INVALID_SETTING'
  /** A vector holds NaN or ±Infinity, so no L2 norm (and no sensitivity bound) exists. */
  | 'PRIVACY_INVALID_VECTOR'
  /** Spending more would take ε past the job's budget; raised by callers that enforce the budget. */
  | 'PRIVACY_BUDGET_EXCEEDED'
  /** No noise multiplier up to the search limit meets the budget. */
  | 'PRIVACY_BUDGET_UNREACHABLE'
  /** Conditional randomized rounding found no rounding within the Skellam sensitivity bound (probability below 2^-160). */
  | 'PRIVACY_ROUNDING_FAILED'
  /** A series failed to converge or lost all precision; a bug or an extreme setting, never silently ignored. */
  | 'PRIVACY_NUMERICAL_FAILURE';

export class PrivacyError extends ShoalError {
  declare readonly code: PrivacyErrorCode;

  constructor(code: PrivacyErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { component: 'privacy', details, cause });
    this.name = 'PrivacyError';
  }
}

/** Shorthand for the most common failure: a setting outside its domain. */
export function invalidSetting(message: string, details: Record<string, unknown>): PrivacyError {
  return new PrivacyError('PRIVACY_INVALID_SETTING', message, details);
}
