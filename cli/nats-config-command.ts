/**
 * `shoal pki nats-config`: the federation's NATS server configuration, from
 * the authority directory: a server certificate (role broker, issued on first
 * use) and one user per organisation and regulator certificate still valid,
 * each allowed only its own subjects. Regenerate and reload nats-server when
 * organisations are issued or revoked.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { natsServerConfig, type NatsParty } from '../common/bus/nats-permissions';
import { issueToDir, listIssued } from '../common/pki';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';

/** The organisation name of the NATS server's own certificate. */
export const BROKER_ORG = 'nats';

export async function writeNatsConfig(dir: string, options: { out: string; host: string; port: number; dnsNames: string[] }): Promise<{ out: string; users: NatsParty[] }> {
  const ca = join(dir, 'ca.crt.pem');
  let cert = join(dir, `${BROKER_ORG}.broker.crt.pem`);
  let key = join(dir, `${BROKER_ORG}.broker.key.pem`);
  if (!existsSync(cert)) ({ certPath: cert, keyPath: key } = await issueToDir(dir, { orgId: BROKER_ORG, role: 'broker', dnsNames: options.dnsNames, ipAddresses: ['127.0.0.1'] }));
  const seen = new Set<string>();
  const users: NatsParty[] = [];
  for (const entry of listIssued(dir)) {
    const id = `${entry.role}:${entry.orgId}`;
    if (entry.revokedAt !== null || seen.has(id) || (entry.role !== 'participant' && entry.role !== 'regulator')) continue;
    seen.add(id);
    users.push({ orgId: entry.orgId, role: entry.role });
  }
  writeFileSync(options.out, natsServerConfig({ host: options.host, port: options.port, tls: { ca, cert, key }, parties: users }));
  return { out: options.out, users };
}

export function registerNatsConfigCommand(pki: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  pki
    .command('nats-config')
    .description("write the NATS server's configuration: TLS with this CA, one user per participant and regulator certificate, each allowed only its own subjects")
    .option('--dir <dir>', 'the authority directory', 'pki')
    .option('--out <file>', 'where to write it (default <dir>/nats.conf)')
    .option('--host <host>', 'address nats-server binds', '0.0.0.0')
    .option('--port <port>', 'port nats-server listens on', wholeNumberFlag, 4222)
    .option('--dns <name...>', "names the server's certificate carries (how clients reach it)", ['localhost'])
    .action((o: { dir: string; out?: string; host: string; port: number; dns: string[] }) =>
      run(async () => {
        const { out, users } = await writeNatsConfig(o.dir, { out: o.out ?? join(o.dir, 'nats.conf'), host: o.host, port: o.port, dnsNames: o.dns });
        process.stdout.write(`wrote ${out}: ${users.length} user(s) (${users.map((u) => `${u.role} ${u.orgId}`).join(', ') || 'none yet'})\nrun: nats-server -c ${out}\n`);
        return EXIT_CODES.ok;
      }),
    );
}
