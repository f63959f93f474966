/**
 * How often a job's coordinator asked this organisation for each round and
 * kind, and which collections it already handled: per job, in memory.
 *
 * An honest coordinator asks again for the same round and kind only under a
 * new collection id, when it lost the collection: it opens one at most 3
 * times per start (coordinator/job-runner.ts MAX_COLLECTION_ATTEMPTS) and,
 * after a restart, resumes from the round after its last checkpoint, so the
 * round it was in when it died is asked for once more by the next start
 * (test/faults-restart.test.ts kills a coordinator and an aggregator in
 * round 3 and expects every bank to take part again). 6 deliveries are two
 * starts' worth of lost collections: more than any run that finishes needs,
 * and a bound on how often a hostile coordinator can make the organisation
 * train on the same round.
 */
import type { TaskRefusal } from './task-refusal';

export const MAX_DELIVERIES_PER_ROUND = 6;

export type CountedKind = 'statistics' | 'fit' | 'evaluate';

export class TaskCounter {
  private readonly deliveries = new Map<string, number>();
  private readonly collections = new Set<string>();

  constructor(private readonly maxDeliveries = MAX_DELIVERIES_PER_ROUND) {}

  /** Counts one delivery of a task; the refusal when it repeats a collection or exceeds the bound. */
  count(kind: CountedKind, round: number, collectionId: string): TaskRefusal | null {
    if (this.collections.has(collectionId)) {
      return { code: 'TASK_NOT_APPROVED', field: 'collectionId', message: `collection ${collectionId} was already handled; a retried collection comes under a new id`, alreadyHandled: true };
    }
    this.collections.add(collectionId);
    const key = `${kind}:${round}`;
    const delivered = (this.deliveries.get(key) ?? 0) + 1;
    this.deliveries.set(key, delivered);
    if (delivered > this.maxDeliveries) {
      return { code: 'TASK_RETRIES_EXCEEDED', field: 'round', message: `round ${round} (${kind}) was asked for ${delivered} times; the organisation allows at most ${this.maxDeliveries}` };
    }
    return null;
  }

  /** Deliveries of a round and kind so far. */
  delivered(kind: CountedKind, round: number): number {
    return this.deliveries.get(`${kind}:${round}`) ?? 0;
  }
}
