/**
 * The Coordinator gRPC servicer: thin handlers over the participant
 * registry. Domain errors become status codes in toServiceError.
 */
import type { Logger } from 'pino';
import { writeMessage } from '../common/grpc/calls';
import type { AuthenticatedCall, PeerAuthorizer } from '../common/grpc/peer-auth';
import { identityProofFromWire } from '../common/grpc/secagg-codec';
import { identityProofSigned, type IdentityProof } from '../common/pki';
import { toServiceError } from '../common/grpc/status-codes';
import { vectorChunks } from '../common/vector-codec';
import type { CoordinatorHandlers } from '../proto/generated/shoal/v1/Coordinator';
import { CoordinatorError } from './errors';
import type { ParticipantRegistry } from './participant-registry';
import { checkIdentifier } from '../common/ids';

export interface CoordinatorServiceDeps {
  jobId: string;
  /** Secure aggregation needs every participant's identity key. */
  requireIdentityKey: boolean;
  registry: ParticipantRegistry;
  logger: Logger;
  onJoin: (orgId: string) => void;
  /** A participant dropped for missing rounds asked for work again and is back in the job. */
  onRejoin: (orgId: string) => void;
  onFailureReport: (report: { orgId: string; collectionId: string; code: string; message: string }) => void;
  /** Who may call, from the caller's certificate: a participant acts only for itself. */
  auth: PeerAuthorizer;
}

/**
 * The proof that `identityKey` is bound to the certificate the caller
 * presented in this very handshake (so it chains to the CA and is not
 * revoked: TLS and the authoriser checked that): the same certificate,
 * whose key signed (orgId, identityKey). The participants check the proofs
 * again themselves; this refuses early what they would refuse later.
 */
function boundIdentityKey(call: AuthenticatedCall, orgId: string, identityKey: Uint8Array, proof: IdentityProof | undefined): IdentityProof {
  if (!proof) throw new CoordinatorError('IDENTITY_PROOF_INVALID', `${orgId} sent an identity key without a proof that its certificate's key vouches for it`);
  const presented = call.getAuthContext().sslPeerCertificate?.raw;
  if (!presented || !Buffer.from(proof.certificate).equals(presented)) {
    throw new CoordinatorError('IDENTITY_PROOF_INVALID', `the identity proof of ${orgId} carries another certificate than the one ${orgId} connected with`);
  }
  if (!identityProofSigned(proof, orgId, identityKey)) {
    throw new CoordinatorError('IDENTITY_PROOF_INVALID', `the identity proof of ${orgId} is not its certificate key's signature over this identity key`);
  }
  return proof;
}

function checkJob(deps: CoordinatorServiceDeps, jobId: string): void {
  checkIdentifier('job', jobId);
  if (jobId !== deps.jobId) throw new CoordinatorError('UNKNOWN_JOB', `this coordinator runs job ${deps.jobId}, not ${jobId}`);
}

export function coordinatorHandlers(deps: CoordinatorServiceDeps): CoordinatorHandlers {
  return {
    Join(call, callback) {
      try {
        const { jobId, orgId, identityKey, identityProof } = call.request;
        deps.auth.participant(call, orgId);
        checkJob(deps, jobId);
        if (deps.requireIdentityKey && identityKey.length !== 32) {
          throw new CoordinatorError('IDENTITY_KEY_MISSING', `${orgId} sent no 32-byte Ed25519 identity key; this job uses secure aggregation, which needs one`);
        }
        const proof = identityKey.length > 0 ? boundIdentityKey(call, orgId, new Uint8Array(identityKey), identityProofFromWire(identityProof)) : undefined;
        const participant = deps.registry.admit(orgId, new Uint8Array(identityKey));
        // The latest proof: a participant that re-joins after renewing its certificate proves the same key anew.
        if (proof) participant.identityProof = proof;
        deps.logger.info({ org: orgId }, 'participant admitted');
        callback(null, { admitted: true, reason: '', participantsSoFar: deps.registry.size });
        deps.onJoin(orgId);
      } catch (err) {
        callback(toServiceError(err));
      }
    },

    NextTask(call) {
      const run = async (): Promise<void> => {
        const { jobId, orgId } = call.request;
        deps.auth.participant(call, orgId);
        checkJob(deps, jobId);
        const participant = deps.registry.get(orgId);
        participant.lastSeen = Date.now();
        if (deps.registry.rejoin(orgId)) deps.onRejoin(orgId);
        const abort = new AbortController();
        call.on('cancelled', () => abort.abort());
        const mailbox = deps.registry.mailbox(orgId);
        const task = await mailbox.take(abort.signal);
        if (!task) return; // The caller gave up waiting (its deadline); it will ask again.
        let delivered = false;
        try {
          await writeMessage(call, { header: task.header });
          if (task.model) for (const chunk of vectorChunks(task.model.vector)) await writeMessage(call, { modelChunk: chunk });
          call.end();
          delivered = !call.cancelled;
        } finally {
          // A task that did not reach the participant waits for its next call.
          if (!delivered) mailbox.putBack(task);
        }
      };
      run().catch((err) => call.emit('error', toServiceError(err)));
    },

    ReportStatus(call, callback) {
      try {
        const { jobId, orgId, collectionId, code, message } = call.request;
        deps.auth.participant(call, orgId);
        checkJob(deps, jobId);
        // Empty when the agent could not name the collection (it refused an invalid id).
        if (collectionId !== '') checkIdentifier('collection', collectionId);
        deps.registry.get(orgId);
        deps.onFailureReport({ orgId, collectionId, code, message: message.slice(0, 2000) });
        callback(null, {});
      } catch (err) {
        callback(toServiceError(err));
      }
    },
  };
}
