/**
 * Per-job server certificates: the launcher, which holds the federation's
 * issuing key, gives each job's coordinator and aggregator a short-lived
 * certificate naming the job, so participants can tell them from any other
 * server, and a coordinator of one job cannot drive another job's aggregator.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ConfigError, errorMessage } from '../common/errors';
import { CertificateAuthority, readRevocationList, type TlsFiles } from '../common/pki';

/** How long a job's server certificates stay valid: jobs are ephemeral. */
const JOB_CERTIFICATE_DAYS = 7;

export interface JobCertificates {
  coordinator: TlsFiles;
  aggregator: TlsFiles;
}

function readPki(pkiDir: string, file: string): string {
  try {
    return readFileSync(join(pkiDir, file), 'utf8');
  } catch (err) {
    throw new ConfigError(`--pki: cannot read ${join(pkiDir, file)} (${errorMessage(err)}); create the authority with \`shoal pki init --dir ${pkiDir}\``, { pkiDir });
  }
}

export async function issueJobCertificates(pkiDir: string, jobId: string, outDir: string, host: string): Promise<JobCertificates> {
  const authority = await CertificateAuthority.fromPem(readPki(pkiDir, 'ca.crt.pem'), readPki(pkiDir, 'ca.key.pem'));
  const tlsDir = join(outDir, 'tls');
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const ca = join(tlsDir, 'ca.crt.pem');
  writeFileSync(ca, authority.certPem);
  // No list, or an expired one, would silently let revoked certificates in: the job does not start.
  const crlPem = readPki(pkiDir, 'crl.pem');
  await readRevocationList(crlPem, authority.certPem).catch((err: unknown) => {
    throw new ConfigError(`--pki: ${join(pkiDir, 'crl.pem')} cannot be used (${errorMessage(err)}); re-sign it with \`shoal pki crl --dir ${pkiDir}\``, { pkiDir });
  });
  const crl = join(tlsDir, 'crl.pem');
  writeFileSync(crl, crlPem);
  const names = isIP(host) ? { ipAddresses: [host, '127.0.0.1'], dnsNames: ['localhost'] } : { dnsNames: [host, 'localhost'], ipAddresses: ['127.0.0.1'] };
  const issue = async (role: 'coordinator' | 'aggregator'): Promise<TlsFiles> => {
    const issued = await authority.issue({ orgId: jobId, role, ...names, validDays: JOB_CERTIFICATE_DAYS });
    const cert = join(tlsDir, `${role}.crt.pem`);
    const key = join(tlsDir, `${role}.key.pem`);
    writeFileSync(cert, issued.certPem);
    writeFileSync(key, issued.keyPem, { mode: 0o600 });
    return { ca, cert, key, crl };
  };
  return { coordinator: await issue('coordinator'), aggregator: await issue('aggregator') };
}
