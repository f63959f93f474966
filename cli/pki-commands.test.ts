import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

describe('enrolment by signing request: shoal pki request, then shoal pki issue --csr', () => {
  let bankDir: string;
  beforeEach(async () => {
    await shoal('pki', 'init', '--dir', dir);
    bankDir = join(root, 'bank-1');
  });

  const csrPath = (): string => join(bankDir, 'bank-1.participant.csr.pem');
  const keyPath = (): string => join(bankDir, 'bank-1.participant.key.pem');

  test("the party makes its key and request; the CA certifies that key and never holds it", async () => {
    const requested = await shoal('pki', 'request', '--org', 'bank-1', '--role', 'participant', '--out', bankDir);

    expect(requested).toEqual({
      exitCode: 0,
      stderr: '',
      stdout:
        `private key: ${keyPath()} (mode 0600; keep it here: no one else, the CA included, needs it)\n` +
        `request:     ${csrPath()} (hand it to the CA: shoal pki issue --csr ${csrPath()} --org bank-1 --role participant --out ${bankDir})\n`,
    });
    expect(statSync(keyPath()).mode & 0o777).toBe(0o600);
    expect(readFileSync(csrPath(), 'utf8').startsWith('-----BEGIN CERTIFICATE REQUEST-----')).toBe(true);
    const keyBefore = readFileSync(keyPath(), 'utf8');

    const { exitCode, stdout, stderr } = await shoal('pki', 'issue', '--csr', csrPath(), '--org', 'bank-1', '--role', 'participant', '--dir', dir, '--out', bankDir);

    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const [entry] = listIssued(dir);
    expect(stdout).toBe(
      `issued participant certificate for bank-1, serial ${entry.serial}, valid until ${entry.notAfter}\n` +
        `certificate: ${bankDir}/bank-1.participant.crt.pem\n` +
        'private key: stays with participant bank-1, beside its request (the CA never saw it)\n',
    );
    const certificate = new X509Certificate(readFileSync(join(bankDir, 'bank-1.participant.crt.pem')));
    expect(certificate.checkPrivateKey(createPrivateKey(keyBefore))).toBe(true);
    expect(certificate.subjectAltName).toBe('URI:urn:shoal:participant:bank-1');
    expect(identityOfCertificate(certificate.raw)).toEqual({ orgId: 'bank-1', role: 'participant', serial: entry.serial });
    // The authority's folder holds its own key and nothing of the party's.
    expect(readdirSync(dir).sort()).toEqual(['ca.crt.pem', 'ca.key.pem', 'crl.pem', 'issued.json']);
    expect(readFileSync(keyPath(), 'utf8')).toBe(keyBefore);
    expect(readdirSync(bankDir).sort()).toEqual(['bank-1.participant.crt.pem', 'bank-1.participant.csr.pem', 'bank-1.participant.key.pem']);
  });

  test('certifying again rotates the certificate and leaves the key alone', async () => {
    await shoal('pki', 'request', '--org', 'bank-1', '--role', 'participant', '--out', bankDir);
    await shoal('pki', 'issue', '--csr', csrPath(), '--org', 'bank-1', '--role', 'participant', '--dir', dir, '--out', bankDir);
    const [first] = listIssued(dir);

    const { exitCode, stdout } = await shoal('pki', 'issue', '--csr', csrPath(), '--org', 'bank-1', '--role', 'participant', '--dir', dir, '--out', bankDir);

    expect(exitCode).toBe(0);
    expect(stdout).toContain(`earlier participant certificates of bank-1 stay valid until revoked: ${first.serial}\n`);
    expect(readdirSync(bankDir).sort()).toEqual(['bank-1.participant.crt.pem', `bank-1.participant.crt.pem.old-${first.serial}`, 'bank-1.participant.csr.pem', 'bank-1.participant.key.pem']);
  });

  test('refuses a request that was altered after it was signed', async () => {
    await shoal('pki', 'request', '--org', 'bank-1', '--role', 'participant', '--out', bankDir);
    // Someone on the way turns the request into one for bank-2, keeping bank-1's key and signature.
    const der = Buffer.from(readFileSync(csrPath(), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('bank-1'));
    der.write('bank-2', at);
    const altered = join(root, 'altered.csr.pem');
    writeFileSync(altered, `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`);

    const { exitCode, stderr } = await shoal('pki', 'issue', '--csr', altered, '--org', 'bank-2', '--role', 'participant', '--dir', dir, '--out', join(root, 'bank-2'));

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toContain('certificate signing request refused: its signature does not verify with the key it asks to certify; it was altered or not signed by that key');
    expect(listIssued(dir)).toEqual([]);
    expect(existsSync(join(root, 'bank-2'))).toBe(false);
  });

  test.each([
    [['--org', 'bank-2', '--role', 'participant'], 'certificate signing request refused: it asks for "CN=bank-1, OU=participant, O=Shoal", but the certificate to issue is participant bank-2 ("CN=bank-2, OU=participant, O=Shoal")'],
    [['--org', 'bank-1', '--role', 'regulator'], 'certificate signing request refused: it asks for "CN=bank-1, OU=participant, O=Shoal", but the certificate to issue is regulator bank-1'],
  ])('refuses a request naming another party than %j, issuing nothing', async (flags, message) => {
    await shoal('pki', 'request', '--org', 'bank-1', '--role', 'participant', '--out', bankDir);

    const { exitCode, stderr } = await shoal('pki', 'issue', '--csr', csrPath(), '--dir', dir, '--out', bankDir, ...flags);

    expect(exitCode).toBe(EXIT_CODES.config);
    expect(stderr).toContain(message);
    expect(listIssued(dir)).toEqual([]);
    expect(readdirSync(bankDir).sort()).toEqual(['bank-1.participant.csr.pem', 'bank-1.participant.key.pem']);
  });

  test('refuses to replace a key the party already has, and a request file that is missing or not a request', async () => {
    await shoal('pki', 'request', '--org', 'bank-1', '--role', 'participant', '--out', bankDir);
    const key = readFileSync(keyPath(), 'utf8');

    const again = await shoal('pki', 'request', '--org', 'bank-1', '--role', 'participant', '--out', bankDir);
    const missing = await shoal('pki', 'issue', '--csr', join(root, 'nothing.csr.pem'), '--org', 'bank-1', '--role', 'participant', '--dir', dir);
    const notRequest = await shoal('pki', 'issue', '--csr', join(dir, 'ca.crt.pem'), '--org', 'bank-1', '--role', 'participant', '--dir', dir);

    expect(again.exitCode).toBe(EXIT_CODES.config);
    expect(again.stderr).toContain(`${keyPath()} already exists; refusing to replace it`);
    expect(readFileSync(keyPath(), 'utf8')).toBe(key);
    expect(missing.exitCode).toBe(EXIT_CODES.config);
    expect(missing.stderr).toContain(`cannot read the signing request ${join(root, 'nothing.csr.pem')}`);
    expect(notRequest.exitCode).toBe(EXIT_CODES.config);
    expect(notRequest.stderr).toContain('certificate signing request refused: it is not a PEM PKCS#10 request');
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
