/**
 * Who is calling, from the client certificate the TLS handshake verified:
 * a participant may act only for its own organisation, and only a job's own
 * coordinator may drive that job's aggregator. Revoked certificates (the
 * federation's revocation list, read when the server starts) are refused.
 */
import { ShoalError } from '../errors';
import { identityOfCertificate, readRevocationList, type CertificateIdentity, type TlsMaterial } from '../pki';

/** A server call on a TLS channel (grpc-js does not export its AuthContext type). */
export type AuthenticatedCall = { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } };

export interface PeerAuthorizer {
  /** A participant's call on behalf of `orgId`. */
  participant(call: AuthenticatedCall, orgId: string): CertificateIdentity;
  /** A call only the job's coordinator may make. */
  coordinator(call: AuthenticatedCall): CertificateIdentity;
}

function refused(code: 'PEER_UNAUTHENTICATED' | 'PEER_REVOKED' | 'PEER_NOT_ALLOWED', message: string): ShoalError {
  return new ShoalError(code, message, { component: 'common' });
}

export function certificateAuthorizer(options: { jobId: string; revokedSerials: ReadonlySet<string> }): PeerAuthorizer {
  const identify = (call: AuthenticatedCall): CertificateIdentity => {
    const certificate = call.getAuthContext().sslPeerCertificate;
    if (!certificate?.raw) throw refused('PEER_UNAUTHENTICATED', 'the caller presented no client certificate');
    const identity = identityOfCertificate(certificate.raw);
    if (options.revokedSerials.has(identity.serial)) throw refused('PEER_REVOKED', `the certificate of ${identity.role} ${identity.orgId} (serial ${identity.serial}) is revoked`);
    return identity;
  };
  return {
    participant(call, orgId) {
      const identity = identify(call);
      if (identity.role !== 'participant') throw refused('PEER_NOT_ALLOWED', `a ${identity.role} certificate (${identity.orgId}) cannot act as participant ${orgId}`);
      if (identity.orgId !== orgId) throw refused('PEER_NOT_ALLOWED', orgId ? `the certificate of ${identity.orgId} cannot act for ${orgId}` : `the request names no organisation; the certificate is ${identity.orgId}'s`);
      return identity;
    },
    coordinator(call) {
      const identity = identify(call);
      if (identity.role !== 'coordinator' || identity.orgId !== options.jobId) {
        throw refused('PEER_NOT_ALLOWED', `only the coordinator of job ${options.jobId} may do this; the caller is ${identity.role} ${identity.orgId}`);
      }
      return identity;
    },
  };
}

/** The serials the federation's revocation list names, verified against the CA; none without a list. */
export async function revokedSerials(material: TlsMaterial): Promise<ReadonlySet<string>> {
  return material.crlPem ? readRevocationList(material.crlPem, material.ca.toString('utf8')) : new Set();
}
