/**
 * Typed client for the Aggregator service, used by participant agents
 * (Submit) and the coordinator (collections). Every call has a deadline.
 */
import * as grpc from '@grpc/grpc-js';
import { deadlineAfter, unary, writeMessage } from '../common/grpc/calls';
import { channelOptionsFor, shoalProto } from '../common/grpc/proto';
import { fromServiceError } from '../common/grpc/status-codes';
import { WireFormatError, type Component } from '../common/errors';
import { VectorAssembler, vectorChunks, vectorHeader, type NumericVector } from '../common/vector-codec';
import type { AggregatorClient as RawClient } from '../proto/generated/shoal/v1/Aggregator';
import type { AggregateMessage__Output } from '../proto/generated/shoal/v1/AggregateMessage';
import type { OpenCollectionRequest } from '../proto/generated/shoal/v1/OpenCollectionRequest';
import type { SubmitAck__Output } from '../proto/generated/shoal/v1/SubmitAck';
import type { PhaseCaller } from '../proto/generated/shoal/v1/PhaseCaller';
import type { AdvertiseKeysResponse__Output } from '../proto/generated/shoal/v1/AdvertiseKeysResponse';
import type { ShareKeysResponse__Output } from '../proto/generated/shoal/v1/ShareKeysResponse';
import type { ConsistencyCheckResponse__Output } from '../proto/generated/shoal/v1/ConsistencyCheckResponse';
import type { SignSurvivorsResponse__Output } from '../proto/generated/shoal/v1/SignSurvivorsResponse';
import {
  advertisementFromWire,
  advertisementToWire,
  revealedShareToWire,
  shareFromWire,
  shareToWire,
  survivorSignatureFromWire,
  survivorSignatureToWire,
} from '../common/grpc/secagg-codec';
import type { EncryptedShare, KeyAdvertisement, SurvivorSignature, UnmaskResponse } from '../common/secagg';

export interface CollectedAggregate {
  contributors: string[];
  missing: string[];
  totalWeight: number;
  weightedSum: Float64Array;
}

export class AggregatorClient {
  private readonly raw: RawClient;

  /** `credentials`: mutual TLS (see common/grpc/tls-credentials); there is no insecure default. */
  constructor(address: string, private readonly component: Component, credentials: grpc.ChannelCredentials) {
    const Client = shoalProto().aggregator.shoal.v1.Aggregator;
    this.raw = new Client(address, credentials, channelOptionsFor(address));
  }

  async submit(contribution: { jobId: string; orgId: string; collectionId: string; weight: number; vector: NumericVector }, timeoutMs: number): Promise<number> {
    const ack = await new Promise<SubmitAck__Output>((resolve, reject) => {
      const call = this.raw.submit({ deadline: deadlineAfter(timeoutMs) }, (err, response) => (err ? reject(err) : resolve(response as SubmitAck__Output)));
      (async () => {
        const { vector, ...header } = contribution;
        await writeMessage(call, { header: { ...header, vector: vectorHeader(vector) } });
        for (const chunk of vectorChunks(vector)) await writeMessage(call, { chunk });
        call.end();
      })().catch(reject);
    }).catch((err) => {
      throw fromServiceError(err, this.component, `submitting to collection ${contribution.collectionId}`);
    });
    return ack.contributorsSoFar;
  }

  /** Secure collections: each call waits until its phase closes (up to timeoutMs) and returns what the phase produced. */
  async advertiseKeys(caller: PhaseCaller, advertisement: KeyAdvertisement, timeoutMs: number): Promise<KeyAdvertisement[]> {
    const response = (await unary(this.raw.advertiseKeys.bind(this.raw), { caller, advertisement: advertisementToWire(advertisement) }, timeoutMs).catch((err) => {
      throw fromServiceError(err, this.component, `advertising keys for ${caller.collectionId}`);
    })) as AdvertiseKeysResponse__Output;
    return response.advertisements.map(advertisementFromWire);
  }

  async shareKeys(caller: PhaseCaller, shares: EncryptedShare[], timeoutMs: number): Promise<EncryptedShare[]> {
    const response = (await unary(this.raw.shareKeys.bind(this.raw), { caller, shares: shares.map(shareToWire) }, timeoutMs).catch((err) => {
      throw fromServiceError(err, this.component, `sharing keys for ${caller.collectionId}`);
    })) as ShareKeysResponse__Output;
    return response.sharesForYou.map(shareFromWire);
  }

  /** Held open while the participant trains; aborting it tells the aggregator this participant has gone. */
  consistencyCheck(caller: PhaseCaller, timeoutMs: number, signal?: AbortSignal): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const call = this.raw.consistencyCheck({ caller }, { deadline: deadlineAfter(timeoutMs) }, (err, response) => {
        if (err) reject(fromServiceError(err, this.component, `waiting for the survivors of ${caller.collectionId}`));
        else resolve((response as ConsistencyCheckResponse__Output).survivors);
      });
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  async signSurvivors(caller: PhaseCaller, signature: SurvivorSignature, timeoutMs: number): Promise<SurvivorSignature[]> {
    const response = (await unary(this.raw.signSurvivors.bind(this.raw), { caller, signature: survivorSignatureToWire(signature) }, timeoutMs).catch((err) => {
      throw fromServiceError(err, this.component, `signing the survivors of ${caller.collectionId}`);
    })) as SignSurvivorsResponse__Output;
    return response.signatures.map(survivorSignatureFromWire);
  }

  async unmask(caller: PhaseCaller, response: UnmaskResponse, timeoutMs: number): Promise<void> {
    await unary(this.raw.unmask.bind(this.raw), { caller, shares: response.shares.map(revealedShareToWire) }, timeoutMs).catch((err) => {
      throw fromServiceError(err, this.component, `unmasking ${caller.collectionId}`);
    });
  }

  async openCollection(request: OpenCollectionRequest, timeoutMs: number): Promise<void> {
    await unary(this.raw.openCollection.bind(this.raw), request, timeoutMs).catch((err) => {
      throw fromServiceError(err, this.component, `opening collection ${request.collectionId}`);
    });
  }

  async markDropped(request: { jobId: string; collectionId: string; orgId: string; reason: string }, timeoutMs: number): Promise<void> {
    await unary(this.raw.markDropped.bind(this.raw), request, timeoutMs).catch((err) => {
      throw fromServiceError(err, this.component, `marking ${request.orgId} dropped`);
    });
  }

  /** Waits (up to timeoutMs) for the collection to settle and returns its weighted sum. */
  collect(jobId: string, collectionId: string, timeoutMs: number): Promise<CollectedAggregate> {
    return new Promise<CollectedAggregate>((resolve, reject) => {
      const call = this.raw.collectAggregate({ jobId, collectionId }, { deadline: deadlineAfter(timeoutMs) });
      let header: AggregateMessage__Output['header'] = null;
      let assembler: VectorAssembler | undefined;
      call.on('data', (message: AggregateMessage__Output) => {
        try {
          if (message.body === 'header' && !assembler) {
            header = message.header;
            assembler = new VectorAssembler(header?.vector);
          } else if (message.body === 'chunk' && assembler) {
            assembler.push(message.chunk);
          } else {
            throw new WireFormatError('an aggregate is one header followed by its chunks');
          }
        } catch (err) {
          call.cancel();
          reject(err);
        }
      });
      call.on('error', (err) => reject(fromServiceError(err, this.component, `collecting ${collectionId}`)));
      call.on('end', () => {
        try {
          if (!header || !assembler) throw new WireFormatError(`the aggregate of ${collectionId} ended before its header`);
          resolve({ contributors: header.contributors, missing: header.missing, totalWeight: header.totalWeight, weightedSum: assembler.finish() as Float64Array });
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  async endJob(jobId: string, timeoutMs: number): Promise<void> {
    await unary(this.raw.endJob.bind(this.raw), { jobId }, timeoutMs).catch((err) => {
      throw fromServiceError(err, this.component, 'ending the job at the aggregator');
    });
  }

  close(): void {
    this.raw.close();
  }
}
