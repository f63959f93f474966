/**
 * ECDSA P-256 keys: made with WebCrypto (what the X.509 library signs with),
 * stored as PKCS#8 PEM (what OpenSSL, grpc-js and `tls` read). Key material
 * never appears in an error message.
 */
import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { ConfigError } from '../errors';
import { EC_KEY_ALGORITHM, webcrypto, type CryptoKey } from './x509-library';

export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** A fresh key pair; extractable so the private key can be written out once. */
export async function generateKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await webcrypto.subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);
  return { privateKey, publicKey };
}

/** `-----BEGIN PRIVATE KEY-----` (PKCS#8), the form every TLS stack loads. */
export function privateKeyPem(key: CryptoKey): string {
  return KeyObject.from(key).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function parsePrivateKey(pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new ConfigError(`${what} is not a readable private key PEM`, {}, err);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError(`${what} is not an ECDSA P-256 private key (found ${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''})`.trim());
  }
  return key;
}

/** A signing key from PEM (PKCS#8, or the older SEC1 "EC PRIVATE KEY"); not extractable, since it is only ever used to sign. */
export async function importSigningKey(pem: string, what = 'the private key'): Promise<CryptoKey> {
  const der = parsePrivateKey(pem, what).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY_ALGORITHM, false, ['sign']);
}

/** The DER SubjectPublicKeyInfo belonging to a private key PEM, to check a key matches a certificate. */
export function publicKeyDerOf(pem: string, what = 'the private key'): Buffer {
  return createPublicKey(parsePrivateKey(pem, what)).export({ format: 'der', type: 'spki' });
}
