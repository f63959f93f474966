/**
 * The agent's long-term Ed25519 identity, which signs its secure-aggregation
 * messages. Created on first start and kept (owner-only) in the work
 * directory, so the agent keeps one identity across restarts. Issue 6
 * replaces this with a certificate from the federation's authority.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, errorMessage } from '../common/errors';
import { generateIdentity, identityFromPem, type IdentityKeyPair } from '../common/secagg';
import { publicKeyText } from '../common/signing';

export const IDENTITY_FILE = 'identity-ed25519.pem';
/** The audit log's last head, kept beside the identity key rather than beside the log (see common/audit/recorded-head.ts). */
export const AUDIT_HEAD_FILE = 'audit-head.json';

export function loadOrCreateIdentity(workDir: string, orgId: string): { identity: IdentityKeyPair; created: boolean } {
  const path = join(workDir, IDENTITY_FILE);
  if (existsSync(path)) {
    try {
      return { identity: identityFromPem(orgId, readFileSync(path, 'utf8')), created: false };
    } catch (err) {
      throw new ConfigError(`cannot read the agent's identity key ${path}: ${errorMessage(err)}`, { path }, err);
    }
  }
  mkdirSync(workDir, { recursive: true });
  const fresh = generateIdentity(orgId);
  writeFileSync(path, fresh.privateKeyPem, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { identity: identityFromPem(orgId, fresh.privateKeyPem), created: true };
}

/** The public key line of the identity the agent keeps, if it has one yet; never creates one. */
export function storedIdentityPublicKey(workDir: string, orgId: string): string | undefined {
  if (!existsSync(join(workDir, IDENTITY_FILE))) return undefined;
  return publicKeyText(loadOrCreateIdentity(workDir, orgId).identity.publicKey);
}
