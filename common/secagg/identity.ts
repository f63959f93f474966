/**
 * Long-term Ed25519 identities: a participant signs its key advertisement
 * and the survivor set with one; everyone verifies against the roster.
 * Private keys stay inside KeyObjects captured by `sign` and are never
 * exposed as fields, so logging an identity cannot leak them.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors';
import type { IdentityKeyPair } from './types';

// Fixed DER framing of a raw 32-byte Ed25519 seed (PKCS#8) and public key (SPKI).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

function rawPublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(ED25519_SPKI_PREFIX.length));
}

function fromPrivateKey(orgId: string, privateKey: KeyObject): IdentityKeyPair {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`identity key of ${orgId} is ${privateKey.asymmetricKeyType ?? 'unknown'}, expected ed25519`, { org: orgId });
  }
  return {
    orgId,
    publicKey: rawPublicKey(privateKey),
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

/** A fresh identity, with its private key as PKCS#8 PEM for the agent to store. */
export function generateIdentity(orgId: string): IdentityKeyPair & { privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { ...fromPrivateKey(orgId, privateKey), privateKeyPem };
}

/** The identity stored as PKCS#8 PEM by generateIdentity. */
export function identityFromPem(orgId: string, pem: string): IdentityKeyPair {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new ConfigError(`identity key of ${orgId} is not a readable private key PEM`, { org: orgId }, err);
  }
  return fromPrivateKey(orgId, key);
}

/** A deterministic identity from a 32-byte seed, for simulations and tests that must reproduce. */
export function identityFromSeed(orgId: string, seed: Uint8Array): IdentityKeyPair {
  if (seed.length !== KEY_BYTES) throw new ConfigError(`identity seed of ${orgId} must be ${KEY_BYTES} bytes, got ${seed.length}`, { org: orgId });
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return fromPrivateKey(orgId, key);
}

/** The raw 32-byte Ed25519 public key in a public (SPKI) or private (PKCS#8) PEM. */
export function publicKeyFromPem(pem: string): Uint8Array {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new ConfigError('not a readable public or private key PEM', {}, err);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ConfigError(`key is ${key.asymmetricKeyType ?? 'unknown'}, expected ed25519`, {});
  return rawPublicKey(key);
}

/** Parsed roster keys: parsing DER costs more than verifying, and a round verifies each key many times. */
const parsedKeys = new Map<string, KeyObject>();
const MAX_PARSED_KEYS = 4096;

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = parsedKeys.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.delete(parsedKeys.keys().next().value as string);
    parsedKeys.set(id, key);
  }
  return key;
}

/** True only for a well-formed signature by `publicKey` over exactly `message`; malformed input gives false. */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return verify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}
