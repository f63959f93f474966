import { ShoalError } from '../common/errors';

export type AggregatorErrorCode =
  | 'UNKNOWN_JOB'
  | 'UNKNOWN_COLLECTION'
  | 'COLLECTION_EXISTS'
  | 'COLLECTION_CLOSED'
  | 'NOT_EXPECTED'
  | 'DUPLICATE_CONTRIBUTION'
  | 'INVALID_CONTRIBUTION'
  | 'QUORUM_NOT_MET'
  | 'NOT_SECURE'
  | 'SHUTTING_DOWN';

export class AggregatorError extends ShoalError {
  constructor(code: AggregatorErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { component: 'aggregator', details, retryable: code === 'SHUTTING_DOWN' });
    this.name = 'AggregatorError';
  }
}
