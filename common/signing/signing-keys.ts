/**
 * Ed25519 signing keys as people handle them: the private key as a PKCS#8
 * PEM file (mode 0600), the public key as one line, "ed25519:<base64>", short
 * enough to pin in a YAML policy. Certificates replace the pinned lines when
 * the federation gets its PKI.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ConfigError, errorMessage } from '../errors';
import { generateIdentity, identityFromPem, type IdentityKeyPair } from '../secagg';

const PREFIX = 'ed25519:';

export function publicKeyText(publicKey: Uint8Array): string {
  return `${PREFIX}${Buffer.from(publicKey).toString('base64')}`;
}

/** The raw 32-byte key in an "ed25519:<base64>" line; a ConfigError naming the problem otherwise. */
export function parsePublicKeyText(text: string, what = 'public key'): Uint8Array {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) throw new ConfigError(`${what}: expected "ed25519:<base64 of 32 bytes>"; found ${JSON.stringify(String(text).slice(0, 30))}`);
  const raw = Buffer.from(text.slice(PREFIX.length), 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== text.slice(PREFIX.length)) throw new ConfigError(`${what}: the base64 after "ed25519:" must encode exactly 32 bytes`);
  return new Uint8Array(raw);
}

/** A short, stable name for a key in logs and listings (never the key itself is secret, but lines stay short). */
export function keyFingerprint(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

/** Writes a new key pair: `<base>.key.pem` (private, 0600) and `<base>.pub` (the public line). Refuses to overwrite. */
export function writeNewSigningKey(base: string, owner: string): { privateKeyPath: string; publicKeyPath: string; publicKey: string } {
  const privateKeyPath = `${base}.key.pem`;
  const publicKeyPath = `${base}.pub`;
  for (const path of [privateKeyPath, publicKeyPath]) {
    if (existsSync(path)) throw new ConfigError(`${path} already exists; refusing to overwrite a key`);
  }
  const identity = generateIdentity(owner);
  writeFileSync(privateKeyPath, identity.privateKeyPem, { mode: 0o600 });
  chmodSync(privateKeyPath, 0o600);
  const publicKey = publicKeyText(identity.publicKey);
  writeFileSync(publicKeyPath, `${publicKey}\n`);
  return { privateKeyPath, publicKeyPath, publicKey };
}

export function loadSigningKey(path: string, owner: string): IdentityKeyPair {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the signing key ${path}: ${errorMessage(err)}`, { path });
  }
  return identityFromPem(owner, pem);
}
