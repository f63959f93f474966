/**
 * Binding an organisation's Ed25519 identity key (the one that signs its
 * secure-aggregation messages) to its X.509 participant certificate, by
 * signature rather than by a certificate extension: the certificate's own
 * ECDSA key signs a fixed, domain-separated message naming the organisation
 * and the identity key. The proof travels with the key (Join, then every
 * task's secure settings), and each participant checks every peer's proof
 * against its own copy of the federation CA, so the roster's keys rest on
 * certificates only their owners hold the keys of, not on the coordinator's word.
 */
import { X509Certificate, createPrivateKey, sign, verify } from 'node:crypto';
import { errorMessage } from '../errors';
import { identityOfCertificate, type CertificateIdentity } from './certificate-identity';

export interface IdentityProof {
  /** The organisation's participant (leaf) certificate, DER. */
  certificate: Uint8Array;
  /** ECDSA-SHA256 (DER) by the certificate's key over identityBindingMessage(orgId, identityKey). */
  signature: Uint8Array;
}

/** Why a proof does not bind a key; stable strings, for audit entries and tests. */
export type IdentityProofFailure =
  | 'missing'
  | 'unreadable'
  | 'not-from-ca'
  | 'not-yet-valid'
  | 'expired'
  | 'revoked'
  | 'not-a-participant'
  | 'other-organisation'
  | 'bad-signature';

export interface IdentityProofProblem {
  reason: IdentityProofFailure;
  message: string;
}

/** What a verifier trusts: its own CA certificate (PEM or DER), the serials its verified revocation list names, and its clock. */
export interface IdentityProofTrust {
  caCertificate: Buffer | string;
  revokedSerials: ReadonlySet<string>;
  now: Date;
}

/** Versioned, so a signature made for this purpose can never be taken for a signature over anything else the key signs (TLS handshakes sign other structures). */
const DOMAIN = Buffer.from('shoal/identity-binding/v1\0', 'utf8');
const IDENTITY_KEY_BYTES = 32;
/** Certificates are backdated by five minutes when issued; a peer whose clock runs ahead gets the same allowance. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** DOMAIN ‖ u16 length of orgId ‖ orgId (UTF-8) ‖ the 32-byte key: the length prefix keeps (org, key) pairs from running into each other. */
export function identityBindingMessage(orgId: string, identityKey: Uint8Array): Buffer {
  const org = Buffer.from(orgId, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(org.length);
  return Buffer.concat([DOMAIN, length, org, Buffer.from(identityKey)]);
}

/**
 * The proof for `identityKey`, signed with the organisation's TLS key (the
 * first certificate in `cert` is the one bound). The caller has checked the
 * key belongs to the certificate (loadTlsMaterial does).
 */
export function proveIdentityKey(orgId: string, identityKey: Uint8Array, tls: { cert: Buffer | string; key: Buffer | string }): IdentityProof {
  const certificate = new X509Certificate(tls.cert).raw;
  const signature = sign('sha256', identityBindingMessage(orgId, identityKey), createPrivateKey(tls.key));
  return { certificate: new Uint8Array(certificate), signature: new Uint8Array(signature) };
}

function problem(reason: IdentityProofFailure, message: string): IdentityProofProblem {
  return { reason, message };
}

function parse(der: Uint8Array): X509Certificate | null {
  try {
    return new X509Certificate(Buffer.from(der));
  } catch {
    return null;
  }
}

/** True when `proof.signature` is the certificate's key's signature over (orgId, identityKey); says nothing about the certificate itself. */
export function identityProofSigned(proof: IdentityProof, orgId: string, identityKey: Uint8Array): boolean {
  const certificate = parse(proof.certificate);
  if (!certificate || identityKey.length !== IDENTITY_KEY_BYTES) return false;
  // Only ECDSA keys are issued; any other key type would need another verify call and is not ours.
  if (certificate.publicKey.asymmetricKeyType !== 'ec') return false;
  try {
    return verify('sha256', identityBindingMessage(orgId, identityKey), certificate.publicKey, Buffer.from(proof.signature));
  } catch {
    return false;
  }
}

/**
 * Null when `proof` binds `identityKey` to `orgId`: its certificate chains to
 * the trusted CA, is within its validity at `now`, is not revoked, is a
 * participant certificate naming exactly `orgId`, and its key signed the
 * binding message for (orgId, identityKey). Otherwise the first failed check.
 */
export function checkIdentityProof(proof: IdentityProof | undefined, claim: { orgId: string; identityKey: Uint8Array }, trust: IdentityProofTrust): IdentityProofProblem | null {
  if (!proof) return problem('missing', 'no identity proof was given for its key');
  const certificate = parse(proof.certificate);
  if (!certificate) return problem('unreadable', 'its proof does not carry a readable X.509 certificate');
  const ca = new X509Certificate(trust.caCertificate);
  // A CA certificate (ours or another) is never a participant's, whatever it is named.
  if (certificate.ca || !certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
    return problem('not-from-ca', `its certificate ("${certificate.subject.replace(/\n/g, ', ')}", issued by "${certificate.issuer.replace(/\n/g, ', ')}") was not issued by this organisation's CA`);
  }
  const now = trust.now.getTime();
  const notBefore = new Date(certificate.validFrom).getTime();
  const notAfter = Math.min(new Date(certificate.validTo).getTime(), new Date(ca.validTo).getTime());
  if (now + CLOCK_SKEW_MS < notBefore) return problem('not-yet-valid', `its certificate is not valid before ${new Date(notBefore).toISOString()}`);
  if (now > notAfter) return problem('expired', `its certificate expired on ${new Date(notAfter).toISOString()}`);
  let identity: CertificateIdentity;
  try {
    identity = identityOfCertificate(certificate.raw);
  } catch (err) {
    return problem('unreadable', `its certificate names no Shoal identity (${errorMessage(err)})`);
  }
  if (trust.revokedSerials.has(identity.serial)) return problem('revoked', `its certificate (serial ${identity.serial}) is revoked`);
  if (identity.role !== 'participant') return problem('not-a-participant', `its certificate is a ${identity.role} certificate of ${identity.orgId}, not a participant's`);
  if (identity.orgId !== claim.orgId) return problem('other-organisation', `its certificate is ${identity.orgId}'s, not ${claim.orgId}'s`);
  if (!identityProofSigned(proof, claim.orgId, claim.identityKey)) {
    return problem('bad-signature', `its certificate's key (serial ${identity.serial}) did not sign this identity key for ${claim.orgId}`);
  }
  return null;
}
