/** The federation's PKI: the certificate authority, identities in certificates, revocation and TLS material; the whole public surface. */
export type { CertificateIdentity, CertificateRole } from './certificate-identity';
export { identityOfCertificate } from './certificate-identity';
export { CertificateAuthority, type IssueOptions, type IssuedCertificate } from './certificate-authority';
export { initAuthorityDir, issueToDir, listIssued, refreshRevocationList, revokeInDir } from './authority-dir';
export { readRevocationList } from './revocation-list';
export { loadTlsMaterial, tlsMaterialFrom, type TlsFiles, type TlsMaterial } from './tls-material';
