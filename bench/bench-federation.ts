/**
 * What every benchmark job needs around it, made once per run: a federation
 * CA on disk (as `shoal pki init` leaves it), the regulator's certificate
 * with which coordinators connect to NATS, and a real nats-server with TLS
 * and per-certificate permissions, as a federation runs it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { natsServerConfig } from '../common/bus/nats-permissions';
import { initAuthorityDir, issueToDir, type TlsFiles } from '../common/pki';
import { freePort } from '../test/support/free-port';
import { acceptsConnections } from '../test/support/nats-server';
import { startProcess, stopProcess, type BenchProcess } from './bench-process';

export const NATS_SERVER_BINARY = process.env.SHOAL_NATS_SERVER ?? '/usr/sbin/nats-server';

export interface BenchFederation {
  pkiDir: string;
  regulator: TlsFiles;
  natsUrl: string;
  /** A participant certificate for `orgId` (issued on first use). */
  participant(orgId: string): Promise<TlsFiles>;
  stop(): Promise<void>;
}

async function startNats(pkiDir: string, regulator: TlsFiles, logDir: string): Promise<{ url: string; process: BenchProcess }> {
  const port = await freePort();
  const broker = await issueToDir(pkiDir, { orgId: `nats-${port}`, role: 'broker', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const configPath = join(pkiDir, `nats-${port}.conf`);
  writeFileSync(configPath, natsServerConfig({ host: '127.0.0.1', port, tls: { ca: regulator.ca, cert: broker.certPath, key: broker.keyPath }, parties: [{ orgId: 'regulator', role: 'regulator' }] }));
  const server = startProcess('nats-server', NATS_SERVER_BINARY, ['-c', configPath], join(logDir, 'nats-server.log'));
  const until = Date.now() + 10_000;
  while (!(await acceptsConnections(port))) {
    if (server.child.exitCode !== null) throw new Error(`nats-server exited before accepting connections (see ${join(logDir, 'nats-server.log')})`);
    if (Date.now() > until) {
      await stopProcess(server);
      throw new Error(`nats-server did not accept connections on port ${port} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `tls://127.0.0.1:${port}`, process: server };
}

export async function createBenchFederation(scratch: string): Promise<BenchFederation> {
  const pkiDir = join(scratch, 'pki');
  const { caCertPath, crlPath } = await initAuthorityDir(pkiDir, { name: 'Shoal bench CA' });
  const files = async (orgId: string, role: 'participant' | 'regulator'): Promise<TlsFiles> => {
    const { certPath, keyPath } = await issueToDir(pkiDir, { orgId, role });
    return { ca: caCertPath, cert: certPath, key: keyPath, crl: crlPath };
  };
  const regulator = await files('regulator', 'regulator');
  const nats = await startNats(pkiDir, regulator, scratch);
  const issued = new Map<string, TlsFiles>();
  return {
    pkiDir,
    regulator,
    natsUrl: nats.url,
    async participant(orgId) {
      let tls = issued.get(orgId);
      if (!tls) {
        tls = await files(orgId, 'participant');
        issued.set(orgId, tls);
      }
      return tls;
    },
    stop: () => stopProcess(nats.process),
  };
}
