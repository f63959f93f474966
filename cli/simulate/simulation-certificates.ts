/**
 * The simulation's own certificate authority, made fresh for each run: the
 * job's coordinator and aggregator get certificates naming the job, and each
 * organisation a participant certificate, written (key 0600) under
 * <out>/orgs/<org>/tls/ for its agent config.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateAuthority, tlsMaterialFrom, type TlsFiles, type TlsMaterial } from '../../common/pki';

export interface SimulationCertificates {
  coordinator: TlsMaterial;
  aggregator: TlsMaterial;
  orgs: Record<string, TlsFiles>;
}

export async function simulationCertificates(jobId: string, orgIds: string[], outDir: string): Promise<SimulationCertificates> {
  const authority = await CertificateAuthority.create('Shoal simulation CA', 30);
  const crlPem = await authority.revocationList([]);
  const orgs: Record<string, TlsFiles> = {};
  for (const orgId of orgIds) {
    const dir = join(outDir, 'orgs', orgId, 'tls');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const issued = await authority.issue({ orgId, role: 'participant', validDays: 30 });
    const files = { ca: join(dir, 'ca.crt.pem'), cert: join(dir, `${orgId}.crt.pem`), key: join(dir, `${orgId}.key.pem`), crl: join(dir, 'crl.pem') };
    writeFileSync(files.ca, authority.certPem);
    writeFileSync(files.cert, issued.certPem);
    writeFileSync(files.key, issued.keyPem, { mode: 0o600 });
    writeFileSync(files.crl, crlPem);
    orgs[orgId] = files;
  }
  const server = async (role: 'coordinator' | 'aggregator'): Promise<TlsMaterial> => tlsMaterialFrom(authority, await authority.issue({ orgId: jobId, role, validDays: 30 }), crlPem);
  return { coordinator: await server('coordinator'), aggregator: await server('aggregator'), orgs };
}
