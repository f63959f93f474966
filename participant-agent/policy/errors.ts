/** Errors of the moderation policy that are not configuration errors (those are ConfigErrors from the schema). */
import { ShoalError } from '../../common/errors';

/** An external hook did not give a usable answer; the hook rule turns this into a deny. */
export class HookError extends ShoalError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    // Retryable: a hook that timed out or was down may answer the next offer.
    super('POLICY_HOOK_FAILED', message, { component: 'participant-agent', retryable: true, details, cause });
    this.name = 'HookError';
  }
}
