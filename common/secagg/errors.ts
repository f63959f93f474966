/**
 * Errors of secure aggregation. Each names the problem, the org concerned
 * (when there is one) and the protocol phase, in the message and in
 * `details`, so the coordinator can report them without parsing text.
 * Nothing here ever carries key material, shares or masks.
 */
import { ShoalError } from '../errors';

export type SecAggErrorCode =
  | 'SECAGG_BAD_SIGNATURE'
  | 'SECAGG_TOO_FEW_SURVIVORS'
  | 'SECAGG_DISCONNECTED_SURVIVORS'
  | 'SECAGG_DOUBLE_REVEAL'
  | 'SECAGG_OUT_OF_ORDER'
  | 'SECAGG_BAD_MESSAGE'
  | 'SECAGG_UNRECOVERABLE'
  /** A revealed share is wrong and the spare shares cannot outvote it; details name the owner, the kind and the suspected holders. */
  | 'SECAGG_BAD_SHARE'
  | 'QUORUM_NOT_MET';

/** The protocol step an error belongs to; 'encoding' and 'shamir' cover the pure helpers. */
export type SecAggPhase =
  | 'advertise'
  | 'share'
  | 'masked-input'
  | 'consistency'
  | 'unmask'
  | 'finish'
  | 'encoding'
  | 'shamir'
  | 'mask-expansion';

export interface SecAggErrorDetails {
  phase: SecAggPhase;
  /** The org the problem is about, when there is one. */
  org?: string;
  [key: string]: unknown;
}

/** Retrying the same round cannot help, except when too few participants took part. */
const RETRYABLE: ReadonlySet<SecAggErrorCode> = new Set<SecAggErrorCode>(['QUORUM_NOT_MET']);

export class SecAggError extends ShoalError {
  readonly phase: SecAggPhase;
  readonly org: string | undefined;

  constructor(code: SecAggErrorCode, message: string, details: SecAggErrorDetails, cause?: unknown) {
    super(code, `${details.phase}: ${message}`, {
      component: 'secagg',
      retryable: RETRYABLE.has(code),
      details: { ...details },
      cause,
    });
    this.name = 'SecAggError';
    this.phase = details.phase;
    this.org = details.org;
  }
}
