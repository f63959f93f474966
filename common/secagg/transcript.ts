/**
 * The exact bytes that get signed or authenticated. Every message starts
 * with its own domain-separation label and the config digest, and every
 * field is length-prefixed, so no two different messages share an encoding
 * and nothing verifies outside its job and collection.
 */
import { createHash } from 'node:crypto';

const ADVERTISE_LABEL = 'shoal/secagg/advertise/v1';
const SURVIVORS_LABEL = 'shoal/secagg/survivors/v1';
const SHARE_LABEL = 'shoal/secagg/share/v1';
const SEED_COMMITMENT_LABEL = 'shoal/secagg/seed-commitment/v1';

/** HKDF info strings; the config digest is the salt. */
export const SHARE_KEY_INFO = 'shoal/secagg/share';
export const PAIRWISE_MASK_INFO = 'shoal/secagg/mask';
export const SELF_MASK_INFO = 'shoal/secagg/self-mask';

function frame(label: string, digest: Uint8Array, fields: ReadonlyArray<Uint8Array | string>): Buffer {
  const parts: Buffer[] = [];
  for (const field of [label, digest, ...fields]) {
    const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : Buffer.from(field.buffer, field.byteOffset, field.byteLength);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

/** Signed in AdvertiseKeys: (digest, orgId, encryptionKey, maskingKey, seedCommitment). */
export function advertisementMessage(digest: Uint8Array, orgId: string, encryptionKey: Uint8Array, maskingKey: Uint8Array, seedCommitment: Uint8Array): Buffer {
  return frame(ADVERTISE_LABEL, digest, [orgId, encryptionKey, maskingKey, seedCommitment]);
}

/**
 * The commitment to a self-mask seed: SHA-256 over (label, digest, orgId,
 * seed), framed like every signed message. The seed has 256 bits of entropy,
 * so the hash hides it; SHA-256 is collision resistant, so no other seed
 * (from a tampered share) matches it.
 */
export function seedCommitment(digest: Uint8Array, orgId: string, seed: Uint8Array): Buffer {
  return createHash('sha256').update(frame(SEED_COMMITMENT_LABEL, digest, [orgId, seed])).digest();
}

/** Signed in ConsistencyCheck: (digest, sorted survivor set). The caller passes the set sorted. */
export function survivorsMessage(digest: Uint8Array, sortedSurvivors: readonly string[]): Buffer {
  return frame(SURVIVORS_LABEL, digest, sortedSurvivors);
}

/** Associated data of an encrypted share: (digest, from, to). */
export function shareAssociatedData(digest: Uint8Array, from: string, to: string): Buffer {
  return frame(SHARE_LABEL, digest, [from, to]);
}
