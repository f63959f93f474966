import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initAuthorityDir, issueToDir, listIssued, refreshRevocationList, revokeInDir } from './authority-dir';
import { identityOfCertificate } from './certificate-identity';
import { readRevocationList } from './revocation-list';
import { x509 } from './x509-library';

let root: string;
let counter = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shoal-pki-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh, not yet created, directory per test. */
function freshDir(): string {
  counter += 1;
  return join(root, `authority-${counter}`);
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

async function crlSerials(dir: string): Promise<Set<string>> {
  return readRevocationList(readFileSync(join(dir, 'crl.pem'), 'utf8'), readFileSync(join(dir, 'ca.crt.pem'), 'utf8'));
}

describe('initAuthorityDir', () => {
  it('writes the CA certificate, a 0600 key, an empty revocation list and an empty record', async () => {
    const dir = freshDir();

    const written = await initAuthorityDir(dir, { name: 'Test CA' });

    expect(written).toEqual({ caCertPath: join(dir, 'ca.crt.pem'), crlPath: join(dir, 'crl.pem') });
    expect(readdirSync(dir).sort()).toEqual(['ca.crt.pem', 'ca.key.pem', 'crl.pem', 'issued.json']);
    expect(mode(join(dir, 'ca.key.pem'))).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(new x509.X509Certificate(readFileSync(written.caCertPath, 'utf8')).subject).toBe('CN=Test CA, O=Shoal');
    expect(await crlSerials(dir)).toEqual(new Set());
    expect(listIssued(dir)).toEqual([]);
  });

  it('refuses to replace an existing authority, leaving it untouched', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);
    const key = readFileSync(join(dir, 'ca.key.pem'), 'utf8');

    await expect(initAuthorityDir(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(join(dir, 'ca.key.pem')) });
    expect(readFileSync(join(dir, 'ca.key.pem'), 'utf8')).toBe(key);
  });
});

describe('issueToDir', () => {
  it('writes <org>.<role>.crt.pem and a 0600 key, and records the certificate', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);

    const issued = await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });

    expect(issued.certPath).toBe(join(dir, 'bank-1.participant.crt.pem'));
    expect(issued.keyPath).toBe(join(dir, 'bank-1.participant.key.pem'));
    expect(mode(issued.keyPath)).toBe(0o600);
    expect(readFileSync(issued.keyPath, 'utf8').startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(identityOfCertificate(readFileSync(issued.certPath, 'utf8'))).toEqual(issued.identity);
    expect(listIssued(dir)).toEqual([{ serial: issued.identity.serial, orgId: 'bank-1', role: 'participant', notAfter: expect.any(String), revokedAt: null }]);
  });

  it('writes into outDir when given, still recording in the authority', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);
    const outDir = join(root, `out-${counter}`);

    const issued = await issueToDir(dir, { orgId: 'job-1', role: 'aggregator', outDir, validDays: 2 });

    expect(issued.certPath).toBe(join(outDir, 'job-1.aggregator.crt.pem'));
    expect(existsSync(issued.keyPath)).toBe(true);
    expect(listIssued(dir).map((entry) => entry.serial)).toEqual([issued.identity.serial]);
  });

  it('rotates: the new pair takes the names, the old pair is kept as .old-<serial> and stays unrevoked', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);
    const first = await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });
    const firstCert = readFileSync(first.certPath, 'utf8');
    const firstKey = readFileSync(first.keyPath, 'utf8');

    const second = await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });

    expect(second.certPath).toBe(first.certPath);
    expect(second.identity.serial).not.toBe(first.identity.serial);
    expect(identityOfCertificate(readFileSync(second.certPath, 'utf8')).serial).toBe(second.identity.serial);
    expect(readFileSync(`${first.certPath}.old-${first.identity.serial}`, 'utf8')).toBe(firstCert);
    expect(readFileSync(`${first.keyPath}.old-${first.identity.serial}`, 'utf8')).toBe(firstKey);
    expect(mode(`${first.keyPath}.old-${first.identity.serial}`)).toBe(0o600);
    expect(listIssued(dir).map((entry) => [entry.serial, entry.revokedAt])).toEqual([
      [first.identity.serial, null],
      [second.identity.serial, null],
    ]);
  });

  it('records every certificate when several are issued at once', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);

    await Promise.all(['bank-1', 'bank-2', 'bank-3'].map((orgId) => issueToDir(dir, { orgId, role: 'participant' })));

    expect(listIssued(dir).map((entry) => entry.orgId).sort()).toEqual(['bank-1', 'bank-2', 'bank-3']);
  });

  it('refuses a directory that is not an authority, naming the missing file', async () => {
    const dir = freshDir();

    await expect(issueToDir(dir, { orgId: 'bank-1', role: 'participant' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${join(dir, 'ca.crt.pem')} does not exist; is ${dir} an authority directory (made by \`shoal pki init --dir ${dir}\`)?`,
    });
  });

  it('refuses an invalid org id without writing anything', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);

    await expect(issueToDir(dir, { orgId: 'Bank 1', role: 'participant' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(readdirSync(dir).sort()).toEqual(['ca.crt.pem', 'ca.key.pem', 'crl.pem', 'issued.json']);
  });

  it('refuses a hand-broken issued.json, naming the field', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);
    writeFileSync(join(dir, 'issued.json'), JSON.stringify({ version: 1, certificates: [{ serial: 'ab', orgId: 'x', role: 'boss' }] }));

    await expect(issueToDir(dir, { orgId: 'bank-1', role: 'participant' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('certificates[0].role') });
  });
});

describe('revokeInDir', () => {
  it('revokes by serial: marks the record and re-signs crl.pem with it', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);
    const old = await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });
    const current = await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });

    const result = await revokeInDir(dir, { serial: old.identity.serial.toUpperCase() });

    expect(result).toEqual({ revoked: [old.identity.serial], crlPath: join(dir, 'crl.pem') });
    expect(await crlSerials(dir)).toEqual(new Set([old.identity.serial]));
    const listed = listIssued(dir);
    expect(listed[0].revokedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(listed[1]).toMatchObject({ serial: current.identity.serial, revokedAt: null });
  });

  it('revokes every certificate of an organisation, or of one of its roles', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);
    const asParticipant = await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });
    const asRegulator = await issueToDir(dir, { orgId: 'bank-1', role: 'regulator' });
    const bystander = await issueToDir(dir, { orgId: 'bank-2', role: 'participant' });

    const byRole = await revokeInDir(dir, { orgId: 'bank-1', role: 'regulator' });
    const byOrg = await revokeInDir(dir, { orgId: 'bank-1' });

    expect(byRole.revoked).toEqual([asRegulator.identity.serial]);
    expect(byOrg.revoked).toEqual([asParticipant.identity.serial]);
    expect(await crlSerials(dir)).toEqual(new Set([asParticipant.identity.serial, asRegulator.identity.serial]));
    expect(listIssued(dir).find((entry) => entry.serial === bystander.identity.serial)?.revokedAt).toBeNull();
  });

  it('revoking again changes nothing but still re-signs the list', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);
    const issued = await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });
    await revokeInDir(dir, { serial: issued.identity.serial });
    const firstRevokedAt = listIssued(dir)[0].revokedAt;
    rmSync(join(dir, 'crl.pem'));

    const again = await revokeInDir(dir, { serial: issued.identity.serial });

    expect(again.revoked).toEqual([]);
    expect(listIssued(dir)[0].revokedAt).toBe(firstRevokedAt);
    expect(await crlSerials(dir)).toEqual(new Set([issued.identity.serial]));
  });

  it('names an unknown serial or organisation', async () => {
    const dir = freshDir();
    await initAuthorityDir(dir);
    await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });

    await expect(revokeInDir(dir, { serial: 'abcdef' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: `no certificate with serial abcdef was issued from ${dir}` });
    await expect(revokeInDir(dir, { orgId: 'bank-9' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: `no certificate was issued to bank-9 from ${dir}` });
    await expect(revokeInDir(dir, { orgId: 'bank-1', role: 'aggregator' })).rejects.toMatchObject({ message: `no certificate was issued to bank-1 as aggregator from ${dir}` });
  });
});

describe('listIssued', () => {
  it('names the missing record when the directory is not an authority', () => {
    const dir = freshDir();

    expect(() => listIssued(dir)).toThrow(`${join(dir, 'issued.json')} does not exist`);
  });
});

describe('refreshing the revocation list', () => {
  it('re-signs crl.pem with the same revoked serials and a later nextUpdate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pki-refresh-'));
    try {
      const { caCertPath, crlPath } = await initAuthorityDir(dir);
      const { identity } = await issueToDir(dir, { orgId: 'bank-1', role: 'participant' });
      await revokeInDir(dir, { serial: identity.serial });
      const before = readFileSync(crlPath, 'utf8');

      await refreshRevocationList(dir);

      const after = readFileSync(crlPath, 'utf8');
      expect(after).not.toBe(before);
      expect([...(await readRevocationList(after, readFileSync(caCertPath, 'utf8')))]).toEqual([identity.serial]);
      // Still valid in six days, as a fresh list should be.
      expect([...(await readRevocationList(after, readFileSync(caCertPath, 'utf8'), new Date(Date.now() + 6 * 86_400_000)))]).toEqual([identity.serial]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
