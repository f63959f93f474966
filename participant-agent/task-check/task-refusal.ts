/**
 * Why the agent refuses a task from the coordinator: a stable code the
 * coordinator and the audit log record, the header field that differs from
 * what the organisation accepted (when one does), and a message that says
 * what was expected and what came. Messages name only settings, counts and
 * organisation ids, never data.
 */
export type TaskRefusalCode =
  /** A setting, count, round or kind differs from the accepted spec (the field names which). */
  | 'TASK_NOT_APPROVED'
  /** The same round and kind was asked for more often than any honest coordinator retries. */
  | 'TASK_RETRIES_EXCEEDED'
  /** The secure-aggregation roster has a member not invited or not pinned, lacks this organisation, or is below the floor. */
  | 'ROSTER_NOT_APPROVED'
  /** The job was accepted with secure aggregation and the task asks for a plain contribution. */
  | 'SECURE_AGGREGATION_REQUIRED'
  /** A roster member's identity key is not bound to its CA-signed certificate (participant-agent/roster). */
  | 'PEER_KEY_UNVERIFIED';

export interface TaskRefusal {
  code: TaskRefusalCode;
  /** The task header's field that differs, as a path ("localEpochs", "secure.threshold"); absent when no single field does. */
  field?: string;
  message: string;
  /**
   * The collection was handled before: a report now would tell the
   * coordinator this organisation dropped out of a collection it may
   * already have contributed to, so the refusal is only recorded.
   */
  alreadyHandled?: true;
}

export function notApproved(field: string, message: string): TaskRefusal {
  return { code: 'TASK_NOT_APPROVED', field, message };
}
