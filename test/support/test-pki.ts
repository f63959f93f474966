/**
 * A federation certificate authority for a test, on disk as `shoal pki init`
 * leaves it: participant certificates for the test's organisations, the
 * regulator's (for `shoal job submit --pki`), and an observer's that may read
 * every NATS subject (for recording what was published).
 */
import { join } from 'node:path';
import { initAuthorityDir, issueToDir, type TlsFiles } from '../../common/pki';

export interface TestPki {
  /** The authority folder, for `shoal job submit --pki`. */
  dir: string;
  /** The participant certificate of `orgId` (organisations not named at creation are issued on first use, but are no NATS users). */
  participant(orgId: string): Promise<TlsFiles>;
  regulator: TlsFiles;
  observer: TlsFiles;
  /** Organisations with a NATS user. */
  orgIds: string[];
}

export const OBSERVER_ORG = 'test-observer';

export async function createTestPki(parent: string, orgIds: string[]): Promise<TestPki> {
  const dir = join(parent, 'pki');
  const { caCertPath, crlPath } = await initAuthorityDir(dir, { name: 'Shoal test CA' });
  const files = async (orgId: string, role: 'participant' | 'regulator'): Promise<TlsFiles> => {
    const { certPath, keyPath } = await issueToDir(dir, { orgId, role });
    return { ca: caCertPath, cert: certPath, key: keyPath, crl: crlPath };
  };
  const issued = new Map<string, TlsFiles>();
  for (const orgId of orgIds) issued.set(orgId, await files(orgId, 'participant'));
  const regulator = await files('regulator', 'regulator');
  const observer = await files(OBSERVER_ORG, 'regulator');
  return {
    dir,
    regulator,
    observer,
    orgIds,
    async participant(orgId) {
      let tls = issued.get(orgId);
      if (!tls) {
        tls = await files(orgId, 'participant');
        issued.set(orgId, tls);
      }
      return tls;
    },
  };
}
