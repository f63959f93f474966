/**
 * Typed client for the Coordinator service, used by participant agents.
 * Every call has a deadline.
 */
import * as grpc from '@grpc/grpc-js';
import { deadlineAfter, unary } from '../common/grpc/calls';
import { channelOptionsFor, shoalProto } from '../common/grpc/proto';
import { identityProofToWire } from '../common/grpc/secagg-codec';
import { fromServiceError } from '../common/grpc/status-codes';
import type { IdentityProof } from '../common/pki';
import { WireFormatError } from '../common/errors';
import { VectorAssembler } from '../common/vector-codec';
import { checkTaskHeader } from './task-header-check';
import type { CoordinatorClient as RawClient } from '../proto/generated/shoal/v1/Coordinator';
import type { TaskHeader__Output } from '../proto/generated/shoal/v1/TaskHeader';
import type { TaskMessage__Output } from '../proto/generated/shoal/v1/TaskMessage';

export interface ReceivedTask {
  header: TaskHeader__Output;
  model: Float32Array | null;
}

export class CoordinatorClient {
  private readonly raw: RawClient;

  /** `credentials`: mutual TLS (see common/grpc/tls-credentials); there is no insecure default. */
  constructor(address: string, credentials: grpc.ChannelCredentials) {
    const Client = shoalProto().coordinator.shoal.v1.Coordinator;
    this.raw = new Client(address, credentials, channelOptionsFor(address));
  }

  /**
   * Joins the job; `identityKey` (raw Ed25519 public key) signs this
   * participant's secure-aggregation messages, and `identityProof` binds it
   * to the certificate this channel presents (proveIdentityKey).
   */
  async join(jobId: string, orgId: string, identityKey: Uint8Array, identityProof: IdentityProof, timeoutMs: number): Promise<void> {
    const request = { jobId, orgId, agentVersion: '0.1.0', identityKey: Buffer.from(identityKey), identityProof: identityProofToWire(identityProof) };
    await unary(this.raw.join.bind(this.raw), request, timeoutMs).catch((err) => {
      throw fromServiceError(err, 'participant-agent', `joining job ${jobId}`);
    });
  }

  /** Waits up to `waitMs` for the next task; null when none came in that time. */
  nextTask(jobId: string, orgId: string, waitMs: number): Promise<ReceivedTask | null> {
    return new Promise((resolve, reject) => {
      const call = this.raw.nextTask({ jobId, orgId }, { deadline: deadlineAfter(waitMs) });
      let header: TaskHeader__Output | null = null;
      let assembler: VectorAssembler | undefined;
      call.on('data', (message: TaskMessage__Output) => {
        try {
          if (message.body === 'header' && !header) {
            // Checked before the model is read: a task that names things wrongly is not taken at all.
            header = message.header ? checkTaskHeader(message.header) : null;
            if (header?.model) assembler = new VectorAssembler(header.model);
          } else if (message.body === 'modelChunk' && assembler) {
            assembler.push(message.modelChunk);
          } else {
            throw new WireFormatError('a task is one header followed by its model chunks');
          }
        } catch (err) {
          call.cancel();
          reject(err);
        }
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (err.code === grpc.status.DEADLINE_EXCEEDED && !header) resolve(null);
        else reject(fromServiceError(err, 'participant-agent', `receiving a task of job ${jobId}`));
      });
      call.on('end', () => {
        try {
          if (!header) return resolve(null);
          resolve({ header, model: assembler ? (assembler.finish() as Float32Array) : null });
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  async reportStatus(report: { jobId: string; orgId: string; collectionId: string; code: string; message: string }, timeoutMs: number): Promise<void> {
    await unary(this.raw.reportStatus.bind(this.raw), report, timeoutMs).catch((err) => {
      throw fromServiceError(err, 'participant-agent', 'reporting a task failure');
    });
  }

  close(): void {
    this.raw.close();
  }
}
