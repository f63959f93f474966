import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityOfCertificate, listIssued, readRevocationList } from '../common/pki';
import { EXIT_CODES } from '../common/process-lifecycle';
import { runCliInProcess, type CliOutcome } from '../common/testing/in-process-cli';
import { registerPkiCommands } from './pki-commands';

/** Runs `shoal …` in-process, with shoal.ts's error-to-exit-code mapping and without exiting. */
function shoal(...args: string[]): Promise<CliOutcome> {
  return runCliInProcess(registerPkiCommands, ['CONFIG_INVALID'], args);
}

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shoal-pki-cli-'));
  dir = join(root, 'pki');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('shoal pki init', () => {
  test('creates the authority and says what it wrote', async () => {
    const { exitCode, stdout, stderr } = await shoal('pki', 'init', '--dir', dir, '--name', 'Test CA');

    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(stdout).toBe(
      `CA certificate:  ${dir}/ca.crt.pem (hand it to every party)\n` +
        `CA key:          ${dir}/ca.key.pem (mode 0600; whoever holds it can issue any identity: keep it secret)\n` +
        `revocation list: ${dir}/crl.pem (hand it to every party; re-signed by \`shoal pki revoke\`)\n`,
    );
    expect(statSync(join(dir, 'ca.key.pem')).mode & 0o777).toBe(0o600);
  });

  test('refuses to replace an existing CA with exit code 2', async () => {
    await shoal('pki', 'init', '--dir', dir);

    const { exitCode, stderr } = await shoal('pki', 'init', '--dir', dir);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toContain(`${dir}/ca.key.pem`);
    expect(stderr).toContain('refusing to replace an existing authority');
  });
});

describe('shoal pki issue', () => {
  beforeEach(async () => {
    await shoal('pki', 'init', '--dir', dir);
  });

  test('writes the pair and prints the identity and paths', async () => {
    const { exitCode, stdout } = await shoal('pki', 'issue', '--org', 'bank-1', '--role', 'participant', '--dir', dir);

    expect(exitCode).toBe(0);
    const [entry] = listIssued(dir);
    expect(stdout).toBe(
      `issued participant certificate for bank-1, serial ${entry.serial}, valid until ${entry.notAfter}\n` +
        `certificate: ${dir}/bank-1.participant.crt.pem\n` +
        `private key: ${dir}/bank-1.participant.key.pem (mode 0600; only participant bank-1 may hold it)\n`,
    );
    expect(identityOfCertificate(readFileSync(join(dir, 'bank-1.participant.crt.pem'), 'utf8'))).toEqual({ orgId: 'bank-1', role: 'participant', serial: entry.serial });
  });

  test('takes server names, addresses, validity and an output folder', async () => {
    const out = join(root, 'job-1');

    const { exitCode } = await shoal('pki', 'issue', '--org', 'job-1', '--role', 'aggregator', '--dir', dir, '--dns', 'agg.example.org', 'localhost', '--ip', '10.0.0.5', '--days', '3', '--out', out);

    expect(exitCode).toBe(0);
    const pem = readFileSync(join(out, 'job-1.aggregator.crt.pem'), 'utf8');
    const cert = new X509Certificate(pem);
    expect(cert.subjectAltName).toBe('URI:urn:shoal:aggregator:job-1, DNS:agg.example.org, DNS:localhost, IP Address:10.0.0.5');
    expect(Math.round((Date.parse(cert.validTo) - Date.now()) / 86_400_000)).toBe(3);
  });

  test('on rotation, points at the earlier certificate still to revoke', async () => {
    await shoal('pki', 'issue', '--org', 'bank-1', '--role', 'participant', '--dir', dir);
    const [first] = listIssued(dir);

    const { exitCode, stdout } = await shoal('pki', 'issue', '--org', 'bank-1', '--role', 'participant', '--dir', dir);

    expect(exitCode).toBe(0);
    expect(stdout).toContain(`earlier participant certificates of bank-1 stay valid until revoked: ${first.serial}\n`);
    expect(existsSync(join(dir, `bank-1.participant.key.pem.old-${first.serial}`))).toBe(true);
  });

  test.each([
    [['--org', 'Bank 1', '--role', 'participant'], 'org id "Bank 1" is not a lower-case identifier'],
    [['--org', 'bank-1', '--role', 'admin'], 'role "admin" is not one of participant, regulator, coordinator, aggregator'],
    [['--org', 'bank-1', '--role', 'participant', '--days', '0'], 'the certificate validity must be a whole number of days, at least 1'],
  ])('refuses %j with exit code 2', async (flags, message) => {
    const { exitCode, stderr } = await shoal('pki', 'issue', '--dir', dir, ...flags);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toContain(message);
  });
});

describe('shoal pki revoke', () => {
  beforeEach(async () => {
    await shoal('pki', 'init', '--dir', dir);
    await shoal('pki', 'issue', '--org', 'bank-1', '--role', 'participant', '--dir', dir);
    await shoal('pki', 'issue', '--org', 'bank-2', '--role', 'participant', '--dir', dir);
  });

  const crlSerials = (): Promise<Set<string>> => readRevocationList(readFileSync(join(dir, 'crl.pem'), 'utf8'), readFileSync(join(dir, 'ca.crt.pem'), 'utf8'));

  test('revokes by serial and re-signs the list', async () => {
    const [bank1] = listIssued(dir);

    const { exitCode, stdout } = await shoal('pki', 'revoke', '--serial', bank1.serial, '--dir', dir);

    expect(exitCode).toBe(0);
    expect(stdout).toBe(`revoked 1 certificate(s): ${bank1.serial}\nrevocation list: ${dir}/crl.pem (re-signed; hand it to every party)\n`);
    expect(await crlSerials()).toEqual(new Set([bank1.serial]));
  });

  test('revokes by organisation and role', async () => {
    const [, bank2] = listIssued(dir);

    const { exitCode, stdout } = await shoal('pki', 'revoke', '--org', 'bank-2', '--role', 'participant', '--dir', dir);

    expect(exitCode).toBe(0);
    expect(stdout).toContain(`revoked 1 certificate(s): ${bank2.serial}`);
  });

  test.each([
    [[], 'give either --serial <serial> or --org <id>, not both and not neither'],
    [['--serial', 'ab', '--org', 'bank-1'], 'give either --serial <serial> or --org <id>, not both and not neither'],
    [['--serial', 'ab', '--role', 'participant'], '--role needs --org'],
    [['--serial', 'abcdef'], 'no certificate with serial abcdef was issued from'],
    [['--org', 'bank-9'], 'no certificate was issued to bank-9 from'],
  ])('refuses %j with exit code 2', async (flags, message) => {
    const { exitCode, stderr } = await shoal('pki', 'revoke', '--dir', dir, ...flags);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toContain(message);
  });
});

describe('shoal pki list', () => {
  test('shows every certificate with its status', async () => {
    await shoal('pki', 'init', '--dir', dir);
    await shoal('pki', 'issue', '--org', 'bank-1', '--role', 'participant', '--dir', dir);
    await shoal('pki', 'issue', '--org', 'job-1', '--role', 'coordinator', '--dir', dir);
    const [bank1, job1] = listIssued(dir);
    await shoal('pki', 'revoke', '--serial', bank1.serial, '--dir', dir);
    const revokedAt = listIssued(dir)[0].revokedAt;

    const { exitCode, stdout } = await shoal('pki', 'list', '--dir', dir);

    expect(exitCode).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `SERIAL${' '.repeat(28)}ORG     ROLE         NOT AFTER${' '.repeat(17)}STATUS`,
      `${bank1.serial}  bank-1  participant  ${bank1.notAfter}  revoked ${revokedAt}`,
      `${job1.serial}  job-1   coordinator  ${job1.notAfter}  valid`,
      '',
    ]);
  });

  test('says when nothing was issued, and refuses a folder that is not an authority', async () => {
    await shoal('pki', 'init', '--dir', dir);

    expect(await shoal('pki', 'list', '--dir', dir)).toEqual({ exitCode: 0, stdout: `no certificates have been issued from ${dir}\n`, stderr: '' });
    expect((await shoal('pki', 'list', '--dir', join(root, 'nowhere'))).exitCode).toBe(EXIT_CODES.config);
  });
});
