import { ShoalError } from '../errors';

/**
 * Failures of certificates and revocation lists that come from a peer or a
 * file, not from a person's typing (those are ConfigErrors). Callers check
 * `code`: an authoriser maps these to "unauthenticated", not to a crash.
 */
export type PkiErrorCode =
  /** A certificate says nothing we can read as "role R of organisation O", or says two different things. */
  | 'CERTIFICATE_IDENTITY_MISSING'
  /** A revocation list is unparseable, signed by someone else, or out of date. */
  | 'REVOCATION_LIST_INVALID';

export class PkiError extends ShoalError {
  constructor(code: PkiErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { component: 'common', details, cause });
    this.name = 'PkiError';
  }
}
