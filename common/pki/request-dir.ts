/**
 * The party's side of enrolment, for `shoal pki request`: a new key pair
 * made on the party's own machine, written next to the request it signs.
 *
 *   <outDir>/<orgId>.<role>.key.pem   the private key (0600); it never leaves
 *   <outDir>/<orgId>.<role>.csr.pem   the request, for the CA (`shoal pki issue --csr`)
 *
 * The CA's answer, `<orgId>.<role>.crt.pem`, then completes the pair in the
 * same folder under the names issueToDir uses, so configs look the same
 * whichever way a party enrolled.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { checkOrgId, checkRole, type CertificateRole } from './certificate-identity';
import { createCertificateRequest } from './certificate-request';
import { writeNewFile } from './pki-files';

export async function requestToDir(outDir: string, options: { orgId: string; role: CertificateRole }): Promise<{ keyPath: string; csrPath: string }> {
  const orgId = checkOrgId(options.orgId);
  const role = checkRole(options.role);
  const keyPath = join(outDir, `${orgId}.${role}.key.pem`);
  const csrPath = join(outDir, `${orgId}.${role}.csr.pem`);
  // A key in use must not be replaced by one the CA has not certified yet: rotating is moving the old pair aside first, on purpose.
  for (const path of [keyPath, csrPath]) {
    if (existsSync(path)) throw new ConfigError(`${path} already exists; refusing to replace it (move the old key, request and certificate aside to make a new key)`, { path });
  }
  const request = await createCertificateRequest({ orgId, role });
  // Only its owner may list a folder that holds a private key, as with the CA's own.
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  writeNewFile(keyPath, request.keyPem, 0o600);
  writeNewFile(csrPath, request.csrPem, 0o644);
  return { keyPath, csrPath };
}
