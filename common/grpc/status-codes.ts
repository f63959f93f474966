/**
 * The one place where domain error codes become gRPC status codes (server
 * side) and gRPC failures become ShoalErrors again (client side).
 */
import * as grpc from '@grpc/grpc-js';
import { ShoalError, type Component } from '../errors';

const STATUS_BY_CODE: Record<string, grpc.status> = {
  CONFIG_INVALID: grpc.status.INVALID_ARGUMENT,
  WIRE_FORMAT: grpc.status.INVALID_ARGUMENT,
  INVALID_IDENTIFIER: grpc.status.INVALID_ARGUMENT,
  INVALID_CONTRIBUTION: grpc.status.INVALID_ARGUMENT,
  UNKNOWN_JOB: grpc.status.NOT_FOUND,
  UNKNOWN_COLLECTION: grpc.status.NOT_FOUND,
  NOT_INVITED: grpc.status.PERMISSION_DENIED,
  PEER_UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PEER_REVOKED: grpc.status.UNAUTHENTICATED,
  PEER_NOT_ALLOWED: grpc.status.PERMISSION_DENIED,
  CERTIFICATE_IDENTITY_MISSING: grpc.status.UNAUTHENTICATED,
  NOT_EXPECTED: grpc.status.PERMISSION_DENIED,
  NOT_ADMITTED: grpc.status.PERMISSION_DENIED,
  IDENTITY_KEY_MISSING: grpc.status.INVALID_ARGUMENT,
  IDENTITY_PROOF_INVALID: grpc.status.PERMISSION_DENIED,
  DUPLICATE_CONTRIBUTION: grpc.status.ALREADY_EXISTS,
  COLLECTION_EXISTS: grpc.status.ALREADY_EXISTS,
  COLLECTION_CLOSED: grpc.status.FAILED_PRECONDITION,
  QUORUM_NOT_MET: grpc.status.FAILED_PRECONDITION,
  ADMISSION_CLOSED: grpc.status.FAILED_PRECONDITION,
  JOB_ENDED: grpc.status.FAILED_PRECONDITION,
  SHUTTING_DOWN: grpc.status.UNAVAILABLE,
  SECAGG_BAD_SIGNATURE: grpc.status.PERMISSION_DENIED,
  SECAGG_DOUBLE_REVEAL: grpc.status.PERMISSION_DENIED,
  SECAGG_BAD_MESSAGE: grpc.status.INVALID_ARGUMENT,
  SECAGG_OUT_OF_ORDER: grpc.status.FAILED_PRECONDITION,
  SECAGG_TOO_FEW_SURVIVORS: grpc.status.FAILED_PRECONDITION,
  SECAGG_DISCONNECTED_SURVIVORS: grpc.status.FAILED_PRECONDITION,
  SECAGG_UNRECOVERABLE: grpc.status.FAILED_PRECONDITION,
  SECAGG_BAD_SHARE: grpc.status.FAILED_PRECONDITION,
  NOT_SECURE: grpc.status.FAILED_PRECONDITION,
  SECAGG_PHASE_CLOSED: grpc.status.FAILED_PRECONDITION,
};

/** Status for an error thrown inside a servicer; unknown errors are INTERNAL and keep their message out of the wire. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof ShoalError) {
    const metadata = new grpc.Metadata();
    metadata.set('shoal-error-code', err.code);
    return { code: STATUS_BY_CODE[err.code] ?? grpc.status.INTERNAL, details: err.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: 'internal error' };
}

/** A client-side view of a failed call, keeping the server's Shoal error code when it sent one. */
export function fromServiceError(err: unknown, component: Component, what: string): ShoalError {
  const serviceError = err as Partial<grpc.ServiceError>;
  const status = serviceError.code ?? grpc.status.UNKNOWN;
  const remoteCode = serviceError.metadata?.get('shoal-error-code')[0];
  const code = typeof remoteCode === 'string' ? remoteCode : `GRPC_${grpc.status[status] ?? status}`;
  const retryable = status === grpc.status.UNAVAILABLE || status === grpc.status.DEADLINE_EXCEEDED || status === grpc.status.RESOURCE_EXHAUSTED;
  return new ShoalError(code, `${what}: ${serviceError.details || (err as Error).message || 'failed'}`, { component, retryable, cause: err, details: { grpcStatus: status } });
}

export function grpcStatusOf(err: unknown): grpc.status | undefined {
  const cause = (err as { cause?: unknown }).cause ?? err;
  return (cause as Partial<grpc.ServiceError>).code;
}
