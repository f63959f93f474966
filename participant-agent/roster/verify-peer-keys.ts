/**
 * The participant's own check of the keys a secure collection's roster
 * gives: each peer's Ed25519 identity key must come with a proof that the
 * peer's participant certificate, from this organisation's own copy of the
 * federation CA, vouches for exactly that key under exactly that
 * organisation's name. The coordinator only forwards keys and proofs; if it
 * could hand over a key of its own choosing for a peer, it could play that
 * peer in the key agreement and unmask this organisation's update alone.
 * This organisation's own entry must be its own key.
 */
import type { SecureCollectionSettings } from '../../common/grpc/secagg-codec';
import { checkIdentityProof, readRevocationList, type IdentityProofFailure } from '../../common/pki';
import { errorMessage } from '../../common/errors';

/** What this organisation trusts, none of it from the coordinator. */
export interface PeerKeyTrust {
  /** Its copy of the federation's CA certificate. */
  caCertificate: Buffer | string;
  /** Its revocation list (PEM), checked against the CA here; null when it has none. */
  revocationList: string | null;
  now: Date;
}

export interface OwnIdentity {
  orgId: string;
  identityKey: Uint8Array;
}

export type PeerKeyFailure = IdentityProofFailure | 'not-own-key' | 'revocation-list-invalid';

/** Shaped like the agent's other task refusals, so it is audited (`task.refused`) and reported the same way. */
export interface PeerKeyRefusal {
  code: 'PEER_KEY_UNVERIFIED';
  /** The roster entry at fault, e.g. "secure.identityKeys.bank-2"; "secure.identityProofs" when the revocation list itself cannot be used. */
  field: string;
  message: string;
  /** The organisation whose key is not bound; null when none could be checked. */
  org: string | null;
  reason: PeerKeyFailure;
}

function refusal(org: string | null, reason: PeerKeyFailure, message: string): PeerKeyRefusal {
  return { code: 'PEER_KEY_UNVERIFIED', field: org === null ? 'secure.identityProofs' : `secure.identityKeys.${org}`, message, org, reason };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a).equals(Buffer.from(b));
}

/**
 * Null when every roster member's key is bound to its certificate and this
 * organisation's entry is its own key; otherwise the first member that is
 * not (members in sorted order, so the answer does not depend on the order
 * the coordinator chose). Roster membership itself (invited, pinned, large
 * enough) is the task checks' concern, not this.
 */
export async function verifyPeerKeys(settings: SecureCollectionSettings, self: OwnIdentity, trust: PeerKeyTrust): Promise<PeerKeyRefusal | null> {
  const own = settings.identityKeys.get(self.orgId);
  if (!sameBytes(own, self.identityKey)) {
    return refusal(self.orgId, 'not-own-key', `the roster gives ${self.orgId} ${own ? 'another identity key than its own' : 'no identity key'}; its messages would be signed under a key it does not hold`);
  }
  let revokedSerials: ReadonlySet<string> = new Set();
  if (trust.revocationList !== null) {
    try {
      revokedSerials = await readRevocationList(trust.revocationList, trust.caCertificate.toString(), trust.now);
    } catch (err) {
      // Without a current list a revoked peer would pass: refuse rather than guess.
      return refusal(null, 'revocation-list-invalid', `the peers' certificates cannot be checked for revocation: ${errorMessage(err)}`);
    }
  }
  const peers = [...settings.identityKeys.keys()].filter((org) => org !== self.orgId).sort();
  for (const org of peers) {
    const identityKey = settings.identityKeys.get(org) as Uint8Array;
    const problem = checkIdentityProof(settings.identityProofs?.get(org), { orgId: org, identityKey }, { caCertificate: trust.caCertificate, revokedSerials, now: trust.now });
    if (problem) return refusal(org, problem.reason, `the identity key given for ${org} is not bound to ${org}'s certificate: ${problem.message}`);
  }
  return null;
}
