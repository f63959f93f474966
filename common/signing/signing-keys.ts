/**
 * Ed25519 signing keys as people handle them: the private key as a PKCS#8
 * PEM file (mode 0600), the public key as one line, "ed25519:<base64>", short
 * enough to pin in a YAML policy. Certificates replace the pinned lines when
 * the federation gets its PKI.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Writes a new key pair: `<base>.key.pem` (private, 0600) and `<base>.pub`
 * (the public line). Refuses to overwrite either file: each is created
 * exclusively, and a private key whose public line cannot be written is
 * removed again, so a refusal leaves no new file behind.
 */
export function writeNewSigningKey(base: string, owner: string): { privateKeyPath: string; publicKeyPath: string; publicKey: string } {
  const privateKeyPath = `${base}.key.pem`;
  const publicKeyPath = `${base}.pub`;
  const identity = generateIdentity(owner);
  const publicKey = publicKeyText(identity.publicKey);
  writeExclusive(privateKeyPath, identity.privateKeyPem, 0o600);
  try {
    writeExclusive(publicKeyPath, `${publicKey}\n`);
  } catch (err) {
    rmSync(privateKeyPath, { force: true });
    throw err;
  }
  return { privateKeyPath, publicKeyPath, publicKey };
}

/** Creates `path` with `data` (the umask still applies to `mode`); a ConfigError when it already exists. */
function writeExclusive(path: string, data: string, mode = 0o666): void {
  try {
    writeFileSync(path, data, { flag: 'wx', mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(`${path} already exists; refusing to overwrite a key`, { path });
    throw err;
  }
}

export function loadSigningKey(path: string, owner: string): IdentityKeyPair {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the signing key ${path}: ${errorMessage(err)}`, { path });
  }
  try {
    return identityFromPem(owner, pem);
  } catch (err) {
    throw new ConfigError(`the signing key ${path} is not an Ed25519 private key PEM`, { path }, err);
  }
}
