/**
 * Checks shared by the client and the server state machines: whether a
 * message is well formed, comes from a cohort member and carries a valid
 * signature. Each failure names the org and the phase.
 */
import { SecAggError, type SecAggPhase } from './errors';
import { verifySignature } from './identity';
import { NONCE_BYTES, TAG_BYTES } from './key-agreement';
import type { SecAggTopology } from './secagg-config';
import { SHARE_VALUE_BYTES } from './shamir';
import { advertisementMessage, survivorsMessage } from './transcript';
import type { IdentityRoster, KeyAdvertisement, SecAggConfig, SurvivorSignature } from './types';

/** Plaintext of one encrypted share: the holder's share of the self-mask seed, then of the masking key. */
export const SHARE_PLAINTEXT_BYTES = 2 * SHARE_VALUE_BYTES;
export const SHARE_BOX_BYTES = NONCE_BYTES + SHARE_PLAINTEXT_BYTES + TAG_BYTES;
/** A SHA-256 digest (transcript.ts seedCommitment). */
export const SEED_COMMITMENT_BYTES = 32;

export function badMessage(phase: SecAggPhase, message: string, org?: string, details: Record<string, unknown> = {}): SecAggError {
  return new SecAggError('SECAGG_BAD_MESSAGE', message, { phase, org, ...details });
}

function isBytes(value: unknown, length?: number): value is Uint8Array {
  return value instanceof Uint8Array && (length === undefined || value.length === length);
}

/** Every participant must be in the roster with a 32-byte Ed25519 key. */
export function checkRoster(config: SecAggConfig, roster: IdentityRoster, phase: SecAggPhase): void {
  for (const org of config.participants) {
    if (!isBytes(roster.get(org), 32)) throw badMessage(phase, `the identity roster has no 32-byte Ed25519 key for participant ${org}`, org);
  }
}

/** A cohort member the roster knows; anything else is refused. */
export function checkMember(topology: SecAggTopology, org: unknown, phase: SecAggPhase, what: string): string {
  if (typeof org !== 'string' || !topology.index.has(org)) {
    throw badMessage(phase, `${what} from ${String(org)}, which is not a participant of this collection`, typeof org === 'string' ? org : undefined);
  }
  return org;
}

/** Shape, membership and signature of one key advertisement. */
export function checkAdvertisement(ad: KeyAdvertisement, topology: SecAggTopology, roster: IdentityRoster, phase: SecAggPhase): void {
  const org = checkMember(topology, ad?.orgId, phase, 'key advertisement');
  if (!isBytes(ad.encryptionKey, 32) || !isBytes(ad.maskingKey, 32)) {
    throw badMessage(phase, `key advertisement of ${org} does not carry two 32-byte X25519 public keys`, org);
  }
  if (!isBytes(ad.seedCommitment, SEED_COMMITMENT_BYTES)) {
    throw badMessage(phase, `key advertisement of ${org} does not carry a ${SEED_COMMITMENT_BYTES}-byte self-mask seed commitment`, org);
  }
  const publicKey = roster.get(org);
  const message = advertisementMessage(topology.digest, org, ad.encryptionKey, ad.maskingKey, ad.seedCommitment);
  if (publicKey === undefined || !isBytes(ad.signature) || !verifySignature(publicKey, message, ad.signature)) {
    throw new SecAggError(
      'SECAGG_BAD_SIGNATURE',
      `key advertisement of ${org} does not verify against its roster key (unsigned, signed by another key, or from another job or collection)`,
      { phase, org },
    );
  }
}

/** Shape, membership and signature of one survivor-set signature over the sorted set. */
export function checkSurvivorSignature(
  signature: SurvivorSignature,
  sortedSurvivors: readonly string[],
  topology: SecAggTopology,
  roster: IdentityRoster,
  phase: SecAggPhase,
): string {
  const org = checkMember(topology, signature?.orgId, phase, 'survivor-set signature');
  const publicKey = roster.get(org);
  const message = survivorsMessage(topology.digest, sortedSurvivors);
  if (publicKey === undefined || !isBytes(signature.signature) || !verifySignature(publicKey, message, signature.signature)) {
    throw new SecAggError(
      'SECAGG_BAD_SIGNATURE',
      `survivor-set signature of ${org} does not verify (over another set, from another job or collection, or by another key)`,
      { phase, org },
    );
  }
  return org;
}

/** A survivor set as a sorted list of distinct cohort members. */
export function normalizeSurvivors(survivors: readonly string[], topology: SecAggTopology, phase: SecAggPhase): string[] {
  if (!Array.isArray(survivors)) throw badMessage(phase, 'the survivor set must be a list of org ids');
  const seen = new Set<string>();
  for (const org of survivors) {
    checkMember(topology, org, phase, 'survivor set entry');
    if (seen.has(org)) throw badMessage(phase, `the survivor set lists ${org} twice`, org);
    seen.add(org);
  }
  return [...seen].sort();
}

export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((org, i) => org === b[i]);
}

/** How many of `members` are in `set`. */
export function countIn(members: readonly string[], set: ReadonlySet<string>): number {
  let count = 0;
  for (const org of members) if (set.has(org)) count++;
  return count;
}
