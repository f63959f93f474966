/**
 * A federation certificate authority for a test, on disk as `shoal pki init`
 * leaves it, issuing each organisation's participant certificate once.
 */
import { join } from 'node:path';
import { initAuthorityDir, issueToDir, type TlsFiles } from '../../common/pki';

export interface TestPki {
  /** The authority folder, for `shoal job submit --pki`. */
  dir: string;
  /** The participant certificate of `orgId` (issued on first use). */
  participant(orgId: string): Promise<TlsFiles>;
}

export async function createTestPki(parent: string): Promise<TestPki> {
  const dir = join(parent, 'pki');
  const { caCertPath, crlPath } = await initAuthorityDir(dir, { name: 'Shoal test CA' });
  const issued = new Map<string, TlsFiles>();
  return {
    dir,
    async participant(orgId) {
      let files = issued.get(orgId);
      if (!files) {
        const { certPath, keyPath } = await issueToDir(dir, { orgId, role: 'participant' });
        files = { ca: caCertPath, cert: certPath, key: keyPath, crl: crlPath };
        issued.set(orgId, files);
      }
      return files;
    },
  };
}
