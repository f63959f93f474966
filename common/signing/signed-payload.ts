/**
 * A value signed as the exact bytes that travel: the payload is the value's
 * canonical JSON, kept as a string, so the receiver verifies what it parses
 * and nothing can be re-serialised differently on the way.
 */
import { ShoalError } from '../errors';
import { verifySignature, type IdentityKeyPair } from '../secagg';
import { canonicalJson } from './canonical-json';
import { parsePublicKeyText, publicKeyText } from './signing-keys';

export interface SignedPayload {
  /** Canonical JSON of the signed value. */
  payload: string;
  /** Base64 Ed25519 signature over the payload's UTF-8 bytes. */
  signature: string;
  /** The signer's public key, "ed25519:<base64>"; trusted only if the receiver pins it. */
  signer: string;
}

export type SignatureProblem = 'UNSIGNED' | 'SIGNATURE_INVALID' | 'SIGNER_NOT_TRUSTED' | 'PAYLOAD_MALFORMED';

export class SignatureError extends ShoalError {
  constructor(code: SignatureProblem, message: string) {
    super(code, message, { component: 'common' });
    this.name = 'SignatureError';
  }
}

export function signPayload(value: unknown, key: IdentityKeyPair): SignedPayload {
  const payload = canonicalJson(value);
  return { payload, signature: Buffer.from(key.sign(Buffer.from(payload, 'utf8'))).toString('base64'), signer: publicKeyText(key.publicKey) };
}

/**
 * The value inside a signed payload, once its signature is checked against
 * the signer's key; `trusted` (public-key lines) limits who may have signed.
 */
export function openSignedPayload<T>(message: unknown, trusted?: readonly string[]): { value: T; signer: string } {
  const signed = message as Partial<SignedPayload> | null;
  if (!signed || typeof signed !== 'object' || typeof signed.payload !== 'string' || typeof signed.signature !== 'string' || typeof signed.signer !== 'string') {
    throw new SignatureError('UNSIGNED', 'the message is not signed (expected payload, signature and signer)');
  }
  let signer: Uint8Array;
  try {
    signer = parsePublicKeyText(signed.signer, 'signer');
  } catch (err) {
    throw new SignatureError('SIGNATURE_INVALID', (err as Error).message);
  }
  if (trusted && !trusted.includes(signed.signer)) throw new SignatureError('SIGNER_NOT_TRUSTED', `the signer ${signed.signer} is not a pinned key`);
  if (!verifySignature(signer, Buffer.from(signed.payload, 'utf8'), Buffer.from(signed.signature, 'base64'))) {
    throw new SignatureError('SIGNATURE_INVALID', 'the signature does not match the payload: it was altered or signed by another key');
  }
  try {
    return { value: JSON.parse(signed.payload) as T, signer: signed.signer };
  } catch {
    throw new SignatureError('PAYLOAD_MALFORMED', 'the signed payload is not JSON');
  }
}
