import { ShoalError } from '../common/errors';

export type CoordinatorErrorCode = 'UNKNOWN_JOB' | 'NOT_INVITED' | 'NOT_ADMITTED' | 'ADMISSION_CLOSED' | 'JOB_ENDED' | 'QUORUM_NOT_MET' | 'JOB_FAILED' | 'IDENTITY_KEY_MISSING' | 'IDENTITY_PROOF_INVALID' | 'CHECKPOINT_FAILED' | 'CHECKPOINT_INVALID' | 'AGGREGATOR_LOST' | 'MODEL_ALREADY_AGGREGATED';

export class CoordinatorError extends ShoalError {
  constructor(code: CoordinatorErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { component: 'coordinator', details, cause });
    this.name = 'CoordinatorError';
  }
}
