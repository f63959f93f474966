/**
 * Secure-aggregation messages between their wire form (proto) and their
 * domain form (common/secagg/types). The aggregator's servicer and the
 * agent's client both convert here and nowhere else.
 */
import { WireFormatError } from '../errors';
import { checkIdentifier } from '../ids';
import type { ContributionEncoding } from '../secagg/contribution-encoding';
import type { EncryptedShare, KeyAdvertisement, RevealedShare, SurvivorSignature, UnmaskResponse } from '../secagg/types';
import type { IdentityProof } from '../pki';
import type { EncryptedShareMessage, EncryptedShareMessage__Output } from '../../proto/generated/shoal/v1/EncryptedShareMessage';
import type { IdentityProof as IdentityProofMessage, IdentityProof__Output as IdentityProofMessage__Output } from '../../proto/generated/shoal/v1/IdentityProof';
import type { KeyAdvertisementMessage, KeyAdvertisementMessage__Output } from '../../proto/generated/shoal/v1/KeyAdvertisementMessage';
import type { RevealedShareMessage, RevealedShareMessage__Output } from '../../proto/generated/shoal/v1/RevealedShareMessage';
import type { SecureAggregationSettings, SecureAggregationSettings__Output } from '../../proto/generated/shoal/v1/SecureAggregationSettings';
import type { SurvivorSignatureMessage, SurvivorSignatureMessage__Output } from '../../proto/generated/shoal/v1/SurvivorSignatureMessage';

/** What a secure collection needs beyond the plain collection settings. */
export interface SecureCollectionSettings {
  threshold: number;
  degree: number;
  /** orgId → raw Ed25519 identity public key, as the coordinator admitted them. */
  identityKeys: Map<string, Uint8Array>;
  encoding: ContributionEncoding;
  encodedElementCount: number;
  phaseTimeoutMs: number;
  /**
   * orgId → the member's proof that its identity key is bound to its
   * certificate, forwarded by the coordinator for participants to check
   * (participant-agent/roster). Absent where nobody checks them (the
   * aggregator's copy, scripted test participants); decoded settings always have it.
   */
  identityProofs?: Map<string, IdentityProof>;
}

export function settingsToWire(settings: SecureCollectionSettings): SecureAggregationSettings {
  const encoding = settings.encoding;
  return {
    threshold: settings.threshold,
    degree: settings.degree,
    identityKeys: Object.fromEntries([...settings.identityKeys].map(([org, key]) => [org, Buffer.from(key)])),
    encoding: encoding.kind,
    // The encoding's one real parameter travels in clippingRange: the clipping range (quantized) or the granularity (skellam).
    clippingRange: encoding.kind === 'quantized' ? encoding.clippingRange : encoding.kind === 'skellam' ? encoding.scale : 0,
    maxWeight: encoding.kind === 'quantized' ? encoding.maxWeight : 0,
    encodedElementCount: settings.encodedElementCount,
    phaseTimeoutMs: settings.phaseTimeoutMs,
    identityProofs: Object.fromEntries([...(settings.identityProofs ?? [])].map(([org, proof]) => [org, identityProofToWire(proof)])),
  };
}

export function identityProofToWire(proof: IdentityProof): IdentityProofMessage {
  return { certificate: Buffer.from(proof.certificate), signature: Buffer.from(proof.signature) };
}

/** A proof as sent; an empty one (a message without the field) is no proof at all. */
export function identityProofFromWire(message: IdentityProofMessage__Output | null | undefined): IdentityProof | undefined {
  if (!message || (message.certificate.length === 0 && message.signature.length === 0)) return undefined;
  return { certificate: new Uint8Array(message.certificate), signature: new Uint8Array(message.signature) };
}

/** Settings of a collection whose cohort is `cohort`; refuses settings that leave out a cohort member's key. */
export function settingsFromWire(message: SecureAggregationSettings__Output, cohort: string[]): SecureCollectionSettings {
  // Roster org ids key maps, transcripts and signed messages at every member: only identifiers are taken.
  const identityKeys = new Map(Object.entries(message.identityKeys ?? {}).map(([org, key]) => [checkIdentifier('organisation', org), new Uint8Array(key)]));
  for (const org of cohort) checkIdentifier('organisation', org);
  const missing = cohort.filter((org) => identityKeys.get(org)?.length !== 32);
  if (missing.length > 0) throw new WireFormatError(`secure aggregation settings lack a 32-byte identity key for ${missing.join(', ')}`);
  let encoding: ContributionEncoding;
  if (message.encoding === 'quantized') {
    if (!(message.clippingRange > 0) || !(message.maxWeight >= 0)) throw new WireFormatError('quantized secure aggregation needs a positive clipping range and a non-negative max weight');
    encoding = { kind: 'quantized', clippingRange: message.clippingRange, maxWeight: message.maxWeight, cohortSize: cohort.length };
  } else if (message.encoding === 'skellam') {
    if (!(message.clippingRange > 0) || !Number.isFinite(message.clippingRange)) throw new WireFormatError('skellam secure aggregation needs a positive granularity (in clippingRange)');
    encoding = { kind: 'skellam', scale: message.clippingRange };
  } else if (message.encoding === 'exact') {
    encoding = { kind: 'exact' };
  } else {
    throw new WireFormatError(`unknown secure aggregation encoding "${message.encoding}"; expected quantized, skellam or exact`);
  }
  if (!(message.phaseTimeoutMs > 0)) throw new WireFormatError('secure aggregation settings need a positive phase timeout');
  // Decoded as sent; whether each binds its key is for the participant to check (verifyPeerKeys), with its own CA.
  const identityProofs = new Map<string, IdentityProof>();
  for (const [org, proof] of Object.entries(message.identityProofs ?? {})) {
    const decoded = identityProofFromWire(proof);
    if (decoded) identityProofs.set(org, decoded);
  }
  return { threshold: message.threshold, degree: message.degree, identityKeys, encoding, encodedElementCount: Number(message.encodedElementCount), phaseTimeoutMs: message.phaseTimeoutMs, identityProofs };
}

export function advertisementToWire(a: KeyAdvertisement): KeyAdvertisementMessage {
  return {
    orgId: a.orgId,
    encryptionKey: Buffer.from(a.encryptionKey),
    maskingKey: Buffer.from(a.maskingKey),
    signature: Buffer.from(a.signature),
    seedCommitment: Buffer.from(a.seedCommitment),
  };
}

export function advertisementFromWire(m: KeyAdvertisementMessage__Output | null | undefined): KeyAdvertisement {
  if (!m) throw new WireFormatError('a key advertisement is missing');
  // Decoded as sent: a missing or short seed commitment is refused by checkAdvertisement (SECAGG_BAD_MESSAGE), like a short key.
  return {
    orgId: m.orgId,
    encryptionKey: new Uint8Array(m.encryptionKey),
    maskingKey: new Uint8Array(m.maskingKey),
    seedCommitment: new Uint8Array(m.seedCommitment),
    signature: new Uint8Array(m.signature),
  };
}

export function shareToWire(s: EncryptedShare): EncryptedShareMessage {
  return { from: s.from, to: s.to, ciphertext: Buffer.from(s.ciphertext) };
}

export function shareFromWire(m: EncryptedShareMessage__Output): EncryptedShare {
  return { from: m.from, to: m.to, ciphertext: new Uint8Array(m.ciphertext) };
}

export function survivorSignatureToWire(s: SurvivorSignature): SurvivorSignatureMessage {
  return { orgId: s.orgId, signature: Buffer.from(s.signature) };
}

export function survivorSignatureFromWire(m: SurvivorSignatureMessage__Output | null | undefined): SurvivorSignature {
  if (!m) throw new WireFormatError('a survivor signature is missing');
  return { orgId: m.orgId, signature: new Uint8Array(m.signature) };
}

export function revealedShareToWire(s: RevealedShare): RevealedShareMessage {
  return { owner: s.owner, kind: s.kind, x: s.x, y: Buffer.from(s.y) };
}

export function unmaskFromWire(orgId: string, shares: RevealedShareMessage__Output[]): UnmaskResponse {
  return {
    orgId,
    shares: shares.map((s) => {
      if (s.kind !== 'self-mask-seed' && s.kind !== 'masking-key') throw new WireFormatError(`unknown revealed share kind "${s.kind}"`);
      return { owner: s.owner, kind: s.kind, x: s.x, y: new Uint8Array(s.y) };
    }),
  };
}
