/**
 * `shoal pki …`: the regulator runs the federation's certificate authority
 * from a directory (default ./pki). `init` creates the CA; `request`, run by
 * a party on its own machine, makes its key and a certificate signing
 * request; `issue --csr` certifies such a request (the CA never sees the
 * party's key), `issue` alone makes a key and certificate for a party (the
 * regulator's own servers, tests); issuing again rotates. `revoke` withdraws
 * certificates and re-signs the revocation list, `list` shows what was issued.
 * Exit codes: 0 done; 2 invalid input (a bad org id or role, an unknown
 * serial, an existing CA); 1 otherwise.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../common/errors';
import { initAuthorityDir, issueFromRequestToDir, issueToDir, listIssued, refreshRevocationList, requestToDir, revokeInDir, type CertificateIdentity, type CertificateRole } from '../common/pki';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { registerNatsConfigCommand } from './nats-config-command';
import { print, refuse } from './console-output';

const DIR_HELP = 'the authority directory (holds the CA key)';
const ROLES = 'participant, regulator, coordinator, aggregator or broker (the NATS server)';

interface IssueFlags {
  org: string;
  role: string;
  dir: string;
  dns?: string[];
  ip?: string[];
  days?: number;
  out?: string;
  csr?: string;
}

interface RevokeFlags {
  serial?: string;
  org?: string;
  role?: string;
  dir: string;
}

/** One line per certificate: serial, organisation, role, expiry and whether it still stands. */
function describeIssued(dir: string, now: Date): string {
  const entries = listIssued(dir);
  if (entries.length === 0) return `no certificates have been issued from ${dir}`;
  const rows = entries.map((entry) => {
    const status = entry.revokedAt ? `revoked ${entry.revokedAt}` : Date.parse(entry.notAfter) < now.getTime() ? 'expired' : 'valid';
    return [entry.serial, entry.orgId, entry.role, entry.notAfter, status];
  });
  const header = ['SERIAL', 'ORG', 'ROLE', 'NOT AFTER', 'STATUS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')).join('\n');
}

function readRequest(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the signing request ${path}: ${errorMessage(err)}`, { field: 'csr', path }, err);
  }
}

export function registerPkiCommands(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const pki = program.command('pki').description("the federation's certificate authority: issue, rotate and revoke the certificates every party uses for TLS");

  pki
    .command('init')
    .description('create the CA: ca.crt.pem (hand to every party), ca.key.pem (secret, 0600), an empty crl.pem and issued.json')
    .option('--dir <dir>', DIR_HELP, 'pki')
    .option('--name <name>', "the CA certificate's common name", 'Shoal federation CA')
    .action((o: { dir: string; name: string }) =>
      run(async () => {
        const { caCertPath, crlPath } = await initAuthorityDir(o.dir, { name: o.name });
        print(`CA certificate:  ${caCertPath} (hand it to every party)`);
        print(`CA key:          ${o.dir}/ca.key.pem (mode 0600; whoever holds it can issue any identity: keep it secret)`);
        print(`revocation list: ${crlPath} (hand it to every party; re-signed by \`shoal pki revoke\`)`);
        return EXIT_CODES.ok;
      }),
    );

  pki
    .command('request')
    .description("run by the party itself: make its private key (0600, it never leaves) and a certificate signing request to hand to the CA (`shoal pki issue --csr`)")
    .requiredOption('--org <id>', 'the organisation id (for coordinator and aggregator: the job id)')
    .requiredOption('--role <role>', `what the party is: ${ROLES}`)
    .requiredOption('--out <dir>', "where to write <org>.<role>.key.pem and .csr.pem: the party's own folder, where its certificate will go too")
    .action((o: { org: string; role: string; out: string }) =>
      run(async () => {
        const { keyPath, csrPath } = await requestToDir(o.out, { orgId: o.org, role: o.role as CertificateRole });
        print(`private key: ${keyPath} (mode 0600; keep it here: no one else, the CA included, needs it)`);
        print(`request:     ${csrPath} (hand it to the CA: shoal pki issue --csr ${csrPath} --org ${o.org} --role ${o.role} --out ${o.out})`);
        return EXIT_CODES.ok;
      }),
    );

  pki
    .command('issue')
    .description(
      'issue a certificate to one party: for the key in its signing request (--csr), or with a new key made here; issuing again for the same org and role rotates (the old certificate is kept as .old-<serial> and stays valid until revoked)',
    )
    .requiredOption('--org <id>', 'the organisation id (for coordinator and aggregator: the job id)')
    .requiredOption('--role <role>', `what the party is: ${ROLES}`)
    .option('--csr <file>', 'certify the key in this signing request (from `shoal pki request`), after checking it is signed by that key and names --org and --role; no key is made or written')
    .option('--dir <dir>', DIR_HELP, 'pki')
    .option('--dns <name...>', 'DNS names the party serves under (servers default to localhost)')
    .option('--ip <addr...>', 'IP addresses the party serves on (servers default to 127.0.0.1)')
    .option('--days <n>', 'validity in days (default 365)', wholeNumberFlag)
    .option('--out <dir>', 'where to write the certificate (and, without --csr, the key) (default: the authority directory)')
    .action((o: IssueFlags) =>
      run(async () => {
        const options = { orgId: o.org, role: o.role as CertificateRole, dnsNames: o.dns, ipAddresses: o.ip, validDays: o.days, outDir: o.out };
        let certPath: string;
        let keyLine: string;
        let identity: CertificateIdentity;
        if (o.csr !== undefined) {
          ({ certPath, identity } = await issueFromRequestToDir(o.dir, { ...options, csrPem: readRequest(o.csr) }));
          keyLine = `private key: stays with ${identity.role} ${identity.orgId}, beside its request (the CA never saw it)`;
        } else {
          let keyPath: string;
          ({ certPath, keyPath, identity } = await issueToDir(o.dir, options));
          keyLine = `private key: ${keyPath} (mode 0600; only ${identity.role} ${identity.orgId} may hold it)`;
        }
        const issued = listIssued(o.dir);
        const notAfter = issued.find((entry) => entry.serial === identity.serial)?.notAfter ?? 'unknown';
        print(`issued ${identity.role} certificate for ${identity.orgId}, serial ${identity.serial}, valid until ${notAfter}`);
        print(`certificate: ${certPath}`);
        print(keyLine);
        const earlier = issued.filter((entry) => entry.orgId === identity.orgId && entry.role === identity.role && entry.serial !== identity.serial && entry.revokedAt === null);
        if (earlier.length > 0) {
          print(`earlier ${identity.role} certificates of ${identity.orgId} stay valid until revoked: ${earlier.map((entry) => entry.serial).join(', ')}`);
          print(`once ${identity.orgId} uses the new one: shoal pki revoke --serial <serial> --dir ${o.dir}`);
        }
        return EXIT_CODES.ok;
      }),
    );

  pki
    .command('revoke')
    .description('revoke one certificate (--serial) or all of an organisation’s (--org, optionally --role), and re-sign crl.pem')
    .option('--serial <serial>', 'the serial of the certificate to revoke (hex, as `shoal pki list` shows it)')
    .option('--org <id>', 'revoke every certificate of this organisation')
    .option('--role <role>', `with --org: only its certificates for this role (${ROLES})`)
    .option('--dir <dir>', DIR_HELP, 'pki')
    .action((o: RevokeFlags) =>
      run(async () => {
        if ((o.serial === undefined) === (o.org === undefined)) return refuse('give either --serial <serial> or --org <id>, not both and not neither');
        if (o.role !== undefined && o.org === undefined) return refuse('--role needs --org');
        const selector = o.serial !== undefined ? { serial: o.serial } : { orgId: o.org as string, role: o.role as CertificateRole | undefined };
        const { revoked, crlPath } = await revokeInDir(o.dir, selector);
        print(revoked.length === 0 ? 'nothing newly revoked: already revoked' : `revoked ${revoked.length} certificate(s): ${revoked.join(', ')}`);
        print(`revocation list: ${crlPath} (re-signed; hand it to every party)`);
        return EXIT_CODES.ok;
      }),
    );

  pki
    .command('crl')
    .description('re-sign crl.pem (valid for 7 days) without revoking anything; run it at least weekly')
    .option('--dir <dir>', DIR_HELP, 'pki')
    .action((o: { dir: string }) =>
      run(async () => {
        const { crlPath } = await refreshRevocationList(o.dir);
        print(`revocation list: ${crlPath} (re-signed; hand it to every party)`);
        return EXIT_CODES.ok;
      }),
    );

  registerNatsConfigCommand(pki, run);

  pki
    .command('list')
    .description('list every certificate issued from the authority, with its status')
    .option('--dir <dir>', DIR_HELP, 'pki')
    .action((o: { dir: string }) =>
      run(async () => {
        print(describeIssued(o.dir, new Date()));
        return EXIT_CODES.ok;
      }),
    );
}
