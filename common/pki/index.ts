/** The federation's PKI: the certificate authority, enrolment by signing request, identities in certificates, identity-key binding, revocation and TLS material; the whole public surface. */
export type { CertificateIdentity, CertificateRole } from './certificate-identity';
export { identityOfCertificate } from './certificate-identity';
export { CertificateAuthority, type CertifiedKey, type IssueOptions, type IssuedCertificate } from './certificate-authority';
export { createCertificateRequest, readCertificateRequest, type CertificateRequest } from './certificate-request';
export { initAuthorityDir, issueFromRequestToDir, issueToDir, listIssued, refreshRevocationList, revokeInDir } from './authority-dir';
export { requestToDir } from './request-dir';
export {
  checkIdentityProof,
  identityBindingMessage,
  identityProofSigned,
  proveIdentityKey,
  type IdentityProof,
  type IdentityProofFailure,
  type IdentityProofProblem,
  type IdentityProofTrust,
} from './identity-binding';
export { readRevocationList } from './revocation-list';
export { loadTlsMaterial, tlsMaterialFrom, type TlsFiles, type TlsMaterial } from './tls-material';
