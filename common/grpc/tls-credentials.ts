/**
 * Mutual TLS for every gRPC channel: servers demand a client certificate from
 * the federation's CA, and clients present theirs and check the server's.
 * A client may also insist on who the server is (the coordinator or the
 * aggregator of one job), beyond what the host name says.
 */
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { identityOfCertificate, type CertificateIdentity, type CertificateRole, type TlsMaterial } from '../pki';

export function serverCredentials(material: TlsMaterial): grpc.ServerCredentials {
  return grpc.ServerCredentials.createSsl(material.ca, [{ cert_chain: material.cert, private_key: material.key }], true);
}

/** What the server's certificate must say, on top of chaining to the federation's CA. */
export interface ExpectedServer {
  role: CertificateRole;
  /** The job id for a job's coordinator or aggregator. */
  orgId: string;
}

/** The server must present a certificate from the CA naming exactly `expected`; its host name is not what identifies it. */
export function channelCredentials(material: TlsMaterial, expected: ExpectedServer): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(material.ca, material.key, material.cert, {
    checkServerIdentity: (host: string, cert: PeerCertificate): Error | undefined => {
      let identity: CertificateIdentity;
      try {
        identity = identityOfCertificate(cert.raw);
      } catch (err) {
        return err as Error;
      }
      if (identity.role !== expected.role || identity.orgId !== expected.orgId) {
        return new Error(`the server at ${host} is ${identity.role} ${identity.orgId}, not the ${expected.role} of ${expected.orgId}`);
      }
      return undefined;
    },
  });
}
