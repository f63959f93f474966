/**
 * The limits of Shoal's two services (see call-limits.ts). Quick calls get
 * 30 s. Calls that legitimately wait get a maximum from what they wait for:
 *
 * - Coordinator.NextTask long-polls; agents ask with a 30 s deadline and ask
 *   again on DEADLINE_EXCEEDED (coordinator.proto), so 5 minutes covers the
 *   wait and streaming a large model; an undelivered task waits for the next call.
 * - Aggregator phase calls and CollectAggregate wait for their collection:
 *   until its deadline (the job's round deadline), then for the signing and
 *   unmasking phases, each up to the phase timeout (at most an hour in a job
 *   spec). Unknown collections are refused at once, so 30 s is plenty there.
 * - Aggregator.Submit streams one contribution (at most the model's size in
 *   1 MiB chunks): 10 minutes.
 *
 * A peer may have 16 calls in flight per service; an agent needs about three
 * (NextTask, a phase call, Submit), a coordinator one or two per collection.
 */
import type { CallLimits, StartingCall } from './call-limits';

export const MAX_CALLS_PER_PEER = 16;
const QUICK_CALL_MS = 30_000;
const NEXT_TASK_MS = 5 * 60_000;
const SUBMIT_MS = 10 * 60_000;
/** After a collection's deadline: the signing and unmasking phases (each up to the largest phase timeout a job spec allows, 3600 s), plus a minute. */
const AFTER_COLLECTION_DEADLINE_MS = 2 * 3600_000 + 60_000;

export const COORDINATOR_CALL_LIMITS: CallLimits = {
  maxCallMs: { Join: QUICK_CALL_MS, ReportStatus: QUICK_CALL_MS, NextTask: NEXT_TASK_MS },
  defaultMaxCallMs: QUICK_CALL_MS,
  maxConcurrentPerPeer: MAX_CALLS_PER_PEER,
};

/** The collection a phase request or collect request names, if any. */
function collectionIdOf(call: StartingCall): string | undefined {
  const request = call.request as { collectionId?: unknown; caller?: { collectionId?: unknown } | null } | undefined;
  const id = request?.caller?.collectionId ?? request?.collectionId;
  return typeof id === 'string' ? id : undefined;
}

/** `deadlineOf(collectionId)`: the open collection's deadline (Unix ms), or undefined when it is not open. */
export function aggregatorCallLimits(deadlineOf: (collectionId: string) => number | undefined): CallLimits {
  const untilCollectionSettles = (call: StartingCall): number => {
    const id = collectionIdOf(call);
    const deadline = id === undefined ? undefined : deadlineOf(id);
    if (deadline === undefined || !Number.isFinite(deadline)) return QUICK_CALL_MS;
    return Math.max(0, deadline - Date.now()) + AFTER_COLLECTION_DEADLINE_MS;
  };
  return {
    maxCallMs: {
      Submit: SUBMIT_MS,
      AdvertiseKeys: untilCollectionSettles,
      ShareKeys: untilCollectionSettles,
      ConsistencyCheck: untilCollectionSettles,
      SignSurvivors: untilCollectionSettles,
      Unmask: untilCollectionSettles,
      CollectAggregate: untilCollectionSettles,
      OpenCollection: QUICK_CALL_MS,
      MarkDropped: QUICK_CALL_MS,
      EndJob: QUICK_CALL_MS,
    },
    defaultMaxCallMs: QUICK_CALL_MS,
    maxConcurrentPerPeer: MAX_CALLS_PER_PEER,
  };
}
