/**
 * Bytes a participant sends, counted from the messages themselves: every
 * byte field at its length, every string (org ids, share kinds) at its UTF-8
 * length, a share's x at 4 bytes, and 8 bytes for a vector's element count
 * and 8 for a plain update's weight. Protobuf tags and length prefixes, gRPC
 * framing and TLS are not counted: a few bytes per message, the same for
 * every mode, and below 0.01% of a vector of 10^6 elements.
 */
import type { EncryptedShare, KeyAdvertisement, SurvivorSignature, UnmaskResponse } from '../common/secagg';
import type { VectorChunk } from '../proto/generated/shoal/v1/VectorChunk';

/** A vector's header: its element count (uint64). */
export const VECTOR_HEADER_BYTES = 8;
/** A plain update's weight (float64); a secure input carries it as its last element instead. */
export const WEIGHT_BYTES = 8;
/** A RevealedShare's x (uint32). */
const SHARE_X_BYTES = 4;

function text(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

export function advertisementBytes(ad: KeyAdvertisement): number {
  return text(ad.orgId) + ad.encryptionKey.length + ad.maskingKey.length + ad.signature.length;
}

export function encryptedSharesBytes(shares: readonly EncryptedShare[]): number {
  let bytes = 0;
  for (const share of shares) bytes += text(share.from) + text(share.to) + share.ciphertext.length;
  return bytes;
}

export function maskedInputBytes(masked: Uint32Array): number {
  return VECTOR_HEADER_BYTES + masked.byteLength;
}

export function survivorSignatureBytes(signature: SurvivorSignature): number {
  return text(signature.orgId) + signature.signature.length;
}

export function unmaskResponseBytes(response: UnmaskResponse): number {
  let bytes = text(response.orgId);
  for (const share of response.shares) bytes += text(share.owner) + text(share.kind) + SHARE_X_BYTES + share.y.length;
  return bytes;
}

/** A plain update as the agent streams it: header, weight, and its chunks' payload. */
export function plainUpdateBytes(chunks: readonly VectorChunk[]): number {
  let bytes = VECTOR_HEADER_BYTES + WEIGHT_BYTES;
  for (const chunk of chunks) bytes += Buffer.byteLength(chunk.data ?? '');
  return bytes;
}

/** The same without building the message: header, weight, 4 bytes per float32 element. */
export function plainUpdateBytesFor(d: number): number {
  return VECTOR_HEADER_BYTES + WEIGHT_BYTES + 4 * d;
}
