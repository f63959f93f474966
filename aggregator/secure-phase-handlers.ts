/**
 * gRPC handlers of the secure-aggregation phases: decode the request, hand
 * it to the collection's SecureAggregation, and answer when its phase
 * closes. A call the participant cancels while waiting marks it gone.
 */
import type * as grpc from '@grpc/grpc-js';
import { errorMessage } from '../common/errors';
import type { AuthenticatedCall } from '../common/grpc/peer-auth';
import { toServiceError } from '../common/grpc/status-codes';
import {
  advertisementFromWire,
  advertisementToWire,
  shareFromWire,
  shareToWire,
  survivorSignatureFromWire,
  survivorSignatureToWire,
  unmaskFromWire,
} from '../common/grpc/secagg-codec';
import type { AggregatorHandlers } from '../proto/generated/shoal/v1/Aggregator';
import type { PhaseCaller__Output } from '../proto/generated/shoal/v1/PhaseCaller';
import type { AggregatorState } from './aggregator-service';
import { AggregatorError } from './errors';
import type { SecureAggregation } from './secure-aggregation';
import { checkIdentifier } from '../common/ids';

type PhaseHandlers = Pick<AggregatorHandlers, 'AdvertiseKeys' | 'ShareKeys' | 'ConsistencyCheck' | 'SignSurvivors' | 'Unmask'>;

function secureCollection(state: AggregatorState, caller: PhaseCaller__Output | null, call: AuthenticatedCall): { secure: SecureAggregation; orgId: string } {
  if (!caller) throw new AggregatorError('INVALID_CONTRIBUTION', 'a secure aggregation request must name its job, collection and sender');
  state.auth.participant(call, caller.orgId);
  checkIdentifier('job', caller.jobId);
  checkIdentifier('collection', caller.collectionId);
  if (caller.jobId !== state.jobId) throw new AggregatorError('UNKNOWN_JOB', `this aggregator serves job ${state.jobId}, not ${caller.jobId}`);
  const collection = state.collections.get(caller.collectionId);
  if (!collection) throw new AggregatorError('UNKNOWN_COLLECTION', `collection ${caller.collectionId} is not open`);
  if (!collection.secure) throw new AggregatorError('NOT_SECURE', `collection ${caller.collectionId} uses plain aggregation`);
  if (!collection.options.expectedOrgs.includes(caller.orgId)) throw new AggregatorError('NOT_EXPECTED', `${caller.orgId} is not in the cohort of collection ${caller.collectionId}`);
  return { secure: collection.secure, orgId: caller.orgId };
}

/** Resolves when the participant hangs up before its answer was sent. */
function cancellation(call: grpc.ServerUnaryCall<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => call.on('cancelled', () => resolve()));
}

/** Runs a phase step and answers the call with its result, or with the mapped error. */
function respond<T>(state: AggregatorState, phase: string, callback: grpc.sendUnaryData<T>, step: () => Promise<T> | T): void {
  Promise.resolve()
    .then(step)
    .then(
      (value) => callback(null, value),
      (err) => {
        state.logger.warn({ phase, err: errorMessage(err) }, 'secure aggregation message refused');
        callback(toServiceError(err));
      },
    );
}

export function securePhaseHandlers(state: AggregatorState): PhaseHandlers {
  return {
    AdvertiseKeys(call, callback) {
      respond(state, 'advertise', callback, async () => {
        const { secure, orgId } = secureCollection(state, call.request.caller, call);
        const all = await secure.advertiseKeys(orgId, advertisementFromWire(call.request.advertisement), cancellation(call));
        return { advertisements: all.map(advertisementToWire) };
      });
    },

    ShareKeys(call, callback) {
      respond(state, 'share', callback, async () => {
        const { secure, orgId } = secureCollection(state, call.request.caller, call);
        const forYou = await secure.shareKeys(orgId, call.request.shares.map(shareFromWire), cancellation(call));
        return { sharesForYou: forYou.map(shareToWire) };
      });
    },

    ConsistencyCheck(call, callback) {
      respond(state, 'consistency', callback, async () => {
        const { secure, orgId } = secureCollection(state, call.request.caller, call);
        return { survivors: await secure.consistencyCheck(orgId, cancellation(call)) };
      });
    },

    SignSurvivors(call, callback) {
      respond(state, 'sign', callback, async () => {
        const { secure, orgId } = secureCollection(state, call.request.caller, call);
        const signatures = await secure.signSurvivors(orgId, survivorSignatureFromWire(call.request.signature), cancellation(call));
        return { signatures: signatures.map(survivorSignatureToWire) };
      });
    },

    Unmask(call, callback) {
      respond(state, 'unmask', callback, () => {
        const { secure, orgId } = secureCollection(state, call.request.caller, call);
        secure.unmask(orgId, unmaskFromWire(orgId, call.request.shares));
        return {};
      });
    },
  };
}
