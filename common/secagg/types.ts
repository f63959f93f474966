/**
 * Wire-independent messages and settings of secure aggregation (Bonawitz et
 * al. 2017 with the neighbour graph of Bell et al. 2020, "SecAgg+"). The
 * client and server state machines exchange exactly these values; the gRPC
 * codec converts them, nothing else does.
 *
 * Byte fields are raw bytes (Uint8Array/Buffer), never base64 strings.
 */

/** Everything that is fixed for one collection and bound into every signature. */
export interface SecAggConfig {
  jobId: string;
  /** One collection (e.g. "fit-3"): fresh keys per collection, so a message from another round or job never verifies. */
  collectionId: string;
  /** The cohort, each org once; the order used everywhere is the sorted order. */
  participants: string[];
  /** Shares needed to reconstruct a secret, counted within a participant's neighbourhood (itself included). */
  threshold: number;
  /** Neighbours of each participant besides itself; participants.length - 1 means the complete graph (plain SecAgg). */
  degree: number;
  /** Length of the masked vector in Z_{2^32} (the encoded input, weight element included). */
  elementCount: number;
}

/** AdvertiseKeys: two fresh X25519 public keys, signed with the participant's long-term Ed25519 identity. */
export interface KeyAdvertisement {
  orgId: string;
  /** X25519 public key (32 bytes) for the key agreement that encrypts shares. */
  encryptionKey: Uint8Array;
  /** X25519 public key (32 bytes) for the key agreement that derives pairwise masks. */
  maskingKey: Uint8Array;
  /**
   * SHA-256 (32 bytes) binding the self-mask seed before any share of it is
   * sent (seedCommitment in transcript.ts): the server checks each
   * reconstructed seed against it, so a wrong revealed share is caught and
   * its holder named instead of silently shifting the sum.
   */
  seedCommitment: Uint8Array;
  /** Ed25519 over (config digest, orgId, encryptionKey, maskingKey, seedCommitment). */
  signature: Uint8Array;
}

/** ShareKeys: one participant's Shamir shares for one neighbour, AES-256-GCM encrypted for that neighbour. */
export interface EncryptedShare {
  from: string;
  to: string;
  /** 12-byte nonce ‖ ciphertext ‖ 16-byte tag; the associated data binds config digest, from and to. */
  ciphertext: Uint8Array;
}

/** ConsistencyCheck: a participant's Ed25519 signature over the survivor set (those whose masked input the server holds). */
export interface SurvivorSignature {
  orgId: string;
  signature: Uint8Array;
}

/** One revealed share: of the self-mask seed of a survivor, or of the masking key of a dropped participant. */
export interface RevealedShare {
  /** Whose secret this share belongs to. */
  owner: string;
  kind: 'self-mask-seed' | 'masking-key';
  /** The share's x coordinate (holder's 1-based index in the sorted participants) and its value, big-endian. */
  x: number;
  y: Uint8Array;
}

/** Unmasking: a participant's answer once it has checked the signed survivor set. */
export interface UnmaskResponse {
  orgId: string;
  shares: RevealedShare[];
}

/** Signs and verifies with long-term identities (Ed25519). Issue 6 replaces the key source with certificates. */
export interface IdentityKeyPair {
  orgId: string;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** orgId → raw Ed25519 public key of every cohort member, as the coordinator admitted them. */
export type IdentityRoster = ReadonlyMap<string, Uint8Array>;
