/**
 * X25519 key agreement from raw 32-byte keys, HKDF-SHA256 and AES-256-GCM
 * for the encrypted shares. Raw keys go through the fixed PKCS#8/SPKI DER
 * framing, so private keys can come from an injectable randomness source.
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, type KeyObject } from 'node:crypto';

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

export type RandomBytes = (size: number) => Buffer;

export interface X25519KeyPair {
  /** Raw private scalar; never leaves the owning state machine except as Shamir shares. */
  privateKey: Buffer;
  /** The same key parsed once (parsing DER costs far more than the key agreement itself). */
  privateKeyObject: KeyObject;
  publicKey: Buffer;
}

export function x25519PrivateKeyObject(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(X25519_SPKI_PREFIX.length));
}

/** The raw public key of an X25519 private key (raw or parsed). */
export function x25519PublicKey(privateKey: Uint8Array | KeyObject): Buffer {
  return rawPublicKey(privateKey instanceof Uint8Array ? x25519PrivateKeyObject(privateKey) : privateKey);
}

export function x25519KeyPair(randomBytes: RandomBytes): X25519KeyPair {
  const privateKey = Buffer.from(randomBytes(KEY_BYTES));
  const privateKeyObject = x25519PrivateKeyObject(privateKey);
  return { privateKey, privateKeyObject, publicKey: rawPublicKey(privateKeyObject) };
}

/** The shared secret, or null for a malformed or low-order public key (which would give an all-zero secret). */
export function x25519(privateKey: Uint8Array | KeyObject, publicKey: Uint8Array): Buffer | null {
  if (publicKey.length !== KEY_BYTES || (privateKey instanceof Uint8Array && privateKey.length !== KEY_BYTES)) return null;
  try {
    const own = privateKey instanceof Uint8Array ? x25519PrivateKeyObject(privateKey) : privateKey;
    const peer = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    const secret = diffieHellman({ privateKey: own, publicKey: peer });
    return secret.every((byte) => byte === 0) ? null : secret;
  } catch {
    return null;
  }
}

/** HKDF-SHA256 to one 32-byte key. */
export function hkdf(inputKey: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', inputKey, salt, info, KEY_BYTES));
}

/** nonce ‖ ciphertext ‖ tag. */
export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** The plaintext, or null when the box is malformed or does not authenticate under this key and associated data. */
export function open(key: Uint8Array, box: Uint8Array, associatedData: Uint8Array): Buffer | null {
  if (box.length < NONCE_BYTES + TAG_BYTES) return null;
  const bytes = Buffer.from(box.buffer, box.byteOffset, box.byteLength);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}
