/**
 * The Aggregator gRPC servicer: thin handlers that decode the wire, call the
 * collections, and map domain errors to status codes in one place.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { PeerAuthorizer } from '../common/grpc/peer-auth';
import { toServiceError } from '../common/grpc/status-codes';
import { writeMessage } from '../common/grpc/calls';
import { errorMessage, WireFormatError } from '../common/errors';
import { VectorAssembler, vectorChunks } from '../common/vector-codec';
import type { AggregatorHandlers } from '../proto/generated/shoal/v1/Aggregator';
import type { AggregateMessage } from '../proto/generated/shoal/v1/AggregateMessage';
import type { SubmitMessage__Output } from '../proto/generated/shoal/v1/SubmitMessage';
import { type MaskExpander, compileSecAggConfig } from '../common/secagg';
import { settingsFromWire } from '../common/grpc/secagg-codec';
import type { OpenCollectionRequest__Output } from '../proto/generated/shoal/v1/OpenCollectionRequest';
import { Collection, type CollectionOptions } from './collection';
import { AggregatorError } from './errors';
import { securePhaseHandlers } from './secure-phase-handlers';
import { SecureAggregation } from './secure-aggregation';
import { checkIdentifier } from '../common/ids';

export interface AggregatorState {
  jobId: string;
  collections: Map<string, Collection>;
  /** Expands secure-aggregation masks (inline or on worker threads), shared by all collections. */
  masks: MaskExpander;
  logger: Logger;
  onJobEnded: () => void;
  /** Who may call what, from the caller's certificate. */
  auth: PeerAuthorizer;
}

function checkJob(state: AggregatorState, jobId: string): void {
  checkIdentifier('job', jobId);
  if (jobId !== state.jobId) throw new AggregatorError('UNKNOWN_JOB', `this aggregator serves job ${state.jobId}, not ${jobId}`);
}

function collectionOf(state: AggregatorState, jobId: string, collectionId: string): Collection {
  checkJob(state, jobId);
  checkIdentifier('collection', collectionId);
  const collection = state.collections.get(collectionId);
  if (!collection) throw new AggregatorError('UNKNOWN_COLLECTION', `collection ${collectionId} is not open`);
  return collection;
}

async function receiveContribution(state: AggregatorState, call: grpc.ServerReadableStream<SubmitMessage__Output, unknown>): Promise<number> {
  let assembler: VectorAssembler | undefined;
  let collection: Collection | undefined;
  let orgId = '';
  let weight = 0;
  try {
    for await (const message of call as AsyncIterable<SubmitMessage__Output>) {
      if (message.body === 'header' && !assembler && message.header) {
        const header = message.header;
        // An organisation submits only its own update: its certificate must name it.
        state.auth.participant(call, header.orgId);
        collection = collectionOf(state, header.jobId, header.collectionId);
        orgId = header.orgId;
        weight = header.weight;
        collection.admit(orgId, Number(header.vector?.elementCount ?? -1), header.vector?.dtype ?? 'none', weight);
        assembler = new VectorAssembler(header.vector, { expectedElements: collection.options.elementCount });
      } else if (message.body === 'chunk' && assembler) {
        assembler.push(message.chunk);
      } else {
        throw new WireFormatError('a contribution is one header followed by its chunks');
      }
    }
    if (!assembler || !collection) throw new WireFormatError('the contribution stream ended before its header');
    collection.complete(orgId, weight, assembler.finish());
    state.logger.info({ collection: collection.options.collectionId, org: orgId, contributors: collection.contributorCount }, 'contribution accepted');
    return collection.contributorCount;
  } catch (err) {
    if (collection && orgId) collection.abandon(orgId);
    throw err;
  }
}

/** A plain collection, or a secure one whose participants submit masked inputs. */
function openCollection(state: AggregatorState, request: OpenCollectionRequest__Output): Collection {
  const options: CollectionOptions = {
    collectionId: request.collectionId,
    expectedOrgs: request.expectedOrgs,
    minContributors: request.minContributors,
    elementCount: Number(request.elementCount),
    dtype: request.dtype === 'DTYPE_FLOAT64' ? 'DTYPE_FLOAT64' : 'DTYPE_FLOAT32',
    deadlineUnixMs: request.deadlineUnixMs,
  };
  if (!request.secure) return new Collection(options);
  const settings = settingsFromWire(request.secure, request.expectedOrgs);
  const config = compileSecAggConfig({
    jobId: request.jobId,
    collectionId: request.collectionId,
    participants: request.expectedOrgs,
    elementCount: settings.encodedElementCount,
    threshold: settings.threshold,
    degree: settings.degree,
  });
  let collection: Collection | undefined;
  const secure = new SecureAggregation({
    config,
    roster: settings.identityKeys,
    encoding: settings.encoding,
    minSurvivors: request.minContributors,
    phaseTimeoutMs: settings.phaseTimeoutMs,
    masks: state.masks,
    onGone: (orgId, reason) => collection?.markDropped(orgId, reason),
    logger: state.logger.child({ collection: request.collectionId }),
  });
  collection = new Collection({ ...options, elementCount: config.elementCount, dtype: 'DTYPE_UINT32' }, secure);
  return collection;
}

export function aggregatorHandlers(state: AggregatorState): AggregatorHandlers {
  return {
    ...securePhaseHandlers(state),

    Submit(call, callback) {
      receiveContribution(state, call).then(
        (count) => callback(null, { contributorsSoFar: count }),
        (err) => {
          state.logger.warn({ err: errorMessage(err) }, 'contribution refused');
          callback(toServiceError(err));
        },
      );
    },

    OpenCollection(call, callback) {
      try {
        state.auth.coordinator(call);
        const request = call.request;
        checkJob(state, request.jobId);
        // Even the coordinator names collections and cohorts only with identifiers: they key maps and logs here and reach every agent.
        checkIdentifier('collection', request.collectionId);
        for (const org of request.expectedOrgs) checkIdentifier('organisation', org);
        if (state.collections.has(request.collectionId)) throw new AggregatorError('COLLECTION_EXISTS', `collection ${request.collectionId} is already open`);
        if (request.minContributors < 1 || request.minContributors > request.expectedOrgs.length) {
          throw new AggregatorError('INVALID_CONTRIBUTION', `min_contributors ${request.minContributors} must be between 1 and the ${request.expectedOrgs.length} expected participants`);
        }
        state.collections.set(request.collectionId, openCollection(state, request));
        state.logger.info({ collection: request.collectionId, expected: request.expectedOrgs.length, min: request.minContributors, secure: Boolean(request.secure) }, 'collection opened');
        callback(null, {});
      } catch (err) {
        callback(toServiceError(err));
      }
    },

    MarkDropped(call, callback) {
      try {
        state.auth.coordinator(call);
        const { jobId, collectionId, orgId, reason } = call.request;
        collectionOf(state, jobId, collectionId).markDropped(checkIdentifier('organisation', orgId), reason);
        callback(null, {});
      } catch (err) {
        callback(toServiceError(err));
      }
    },

    CollectAggregate(call) {
      const { jobId, collectionId } = call.request;
      let collection: Collection;
      try {
        state.auth.coordinator(call);
        collection = collectionOf(state, jobId, collectionId);
      } catch (err) {
        call.emit('error', toServiceError(err));
        return;
      }
      collection
        .settled()
        .then(async (result) => {
          const header: AggregateMessage = {
            header: {
              contributors: result.contributors,
              missing: result.missing.map((m) => `${m.orgId}: ${m.reason}`),
              totalWeight: result.totalWeight,
              vector: { elementCount: result.weightedSum.length, dtype: 'DTYPE_FLOAT64', tensors: [] },
            },
          };
          await writeMessage(call, header);
          for (const chunk of vectorChunks(result.weightedSum)) await writeMessage(call, { chunk });
          call.end();
        })
        .catch((err) => call.emit('error', toServiceError(err)))
        .finally(() => state.collections.delete(collectionId));
    },

    EndJob(call, callback) {
      try {
        state.auth.coordinator(call);
        checkJob(state, call.request.jobId);
        callback(null, {});
        state.onJobEnded();
      } catch (err) {
        callback(toServiceError(err));
      }
    },
  };
}
