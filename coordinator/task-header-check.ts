/**
 * The identifiers in a task header, checked as the agent receives it and
 * before anything uses them: the collection id names a run folder and is
 * sent on to the aggregator, the roster's organisation ids key the secure
 * aggregation, and the round seeds the agent's own randomness. A coordinator
 * that sends anything else is not followed.
 */
import { ShoalError } from '../common/errors';
import { checkIdentifier, checkRound, isIdentifier, shownValue } from '../common/ids';
import type { TaskHeader__Output } from '../proto/generated/shoal/v1/TaskHeader';

/** What the agent can safely say about a task it refused (for its audit log and its report). */
export interface RefusedTaskFacts {
  kind: string;
  /** The round, when it is one; null otherwise. */
  round: number | null;
  /** The collection id when it is valid, else its JSON-quoted, truncated form. */
  collectionId: string;
  /** Whether collectionId may be sent back as it is. */
  collectionIdValid: boolean;
  field: string;
}

/** The header is fine; throws INVALID_IDENTIFIER (details: RefusedTaskFacts and the reason) otherwise. */
export function checkTaskHeader(header: TaskHeader__Output): TaskHeader__Output {
  // The end of the job names nothing: there is no round or collection to check.
  if (header.kind === 'TASK_KIND_FINISHED') return header;
  const checks: Array<[string, () => void]> = [
    ['collectionId', () => checkIdentifier('collection', header.collectionId)],
    ['round', () => checkRound(header.round)],
    ['secure.identityKeys', () => Object.keys(header.secure?.identityKeys ?? {}).forEach((org) => checkIdentifier('organisation', org))],
  ];
  for (const [field, check] of checks) {
    try {
      check();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const facts: RefusedTaskFacts = {
        kind: typeof header.kind === 'string' ? header.kind.slice(0, 40) : 'unknown',
        round: Number.isSafeInteger(header.round) ? header.round : null,
        collectionId: isIdentifier(header.collectionId) ? header.collectionId : shownValue(header.collectionId),
        collectionIdValid: isIdentifier(header.collectionId),
        field,
      };
      throw new ShoalError('INVALID_IDENTIFIER', `the coordinator sent a task whose ${field} is invalid: ${reason}`, { component: 'participant-agent', details: { ...facts, reason } });
    }
  }
  return header;
}
