import { CertificateAuthority } from './certificate-authority';
import { readRevocationList } from './revocation-list';
import { x509 } from './x509-library';

const DAY_MS = 24 * 60 * 60 * 1000;

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await CertificateAuthority.create();
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string; details: { reason: string } }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: string; message: string; details: { reason: string } };
  }
  throw new Error('expected a rejection');
}

describe('CertificateAuthority.revocationList + readRevocationList', () => {
  it('lists the revoked serials, lower-cased, and verifies against the CA', async () => {
    const a = await ca.issue({ orgId: 'bank-1', role: 'participant' });
    const b = await ca.issue({ orgId: 'bank-2', role: 'participant' });

    const crlPem = await ca.revocationList([a.identity.serial.toUpperCase(), b.identity.serial, a.identity.serial]);

    expect(crlPem.startsWith('-----BEGIN X509 CRL-----')).toBe(true);
    expect(await readRevocationList(crlPem, ca.certPem)).toEqual(new Set([a.identity.serial, b.identity.serial]));
  });

  it('reads an empty list as no serials', async () => {
    expect(await readRevocationList(await ca.revocationList([]), ca.certPem)).toEqual(new Set());
  });

  it('is current for 7 days by default, or for validDays', async () => {
    const nextUpdate = (pem: string): number => Math.round(((new x509.X509Crl(x509.PemConverter.decodeFirst(pem)).nextUpdate as Date).getTime() - Date.now()) / DAY_MS);

    expect(nextUpdate(await ca.revocationList([]))).toBe(7);
    expect(nextUpdate(await ca.revocationList([], 30))).toBe(30);
  });

  it('refuses a serial that is not hexadecimal', async () => {
    await expect(ca.revocationList(['xyz'])).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: 'serial "xyz" is not a certificate serial (hexadecimal, at most 20 bytes)' });
  });

  it('rejects a list signed by another CA with the same name', async () => {
    const impostor = await CertificateAuthority.create();

    const err = await rejection(readRevocationList(await impostor.revocationList([]), ca.certPem));

    expect(err.code).toBe('REVOCATION_LIST_INVALID');
    expect(err.details.reason).toBe('bad-signature');
    expect(err.message).toBe('revocation list rejected: its signature does not verify with the key of the CA "CN=Shoal federation CA, O=Shoal"');
  });

  it('rejects a list issued by a CA with another name', async () => {
    const other = await CertificateAuthority.create('Another federation CA');

    const err = await rejection(readRevocationList(await other.revocationList([]), ca.certPem));

    expect(err.code).toBe('REVOCATION_LIST_INVALID');
    expect(err.details.reason).toBe('wrong-issuer');
    expect(err.message).toBe('revocation list rejected: it was issued by "CN=Another federation CA, O=Shoal", not by the CA "CN=Shoal federation CA, O=Shoal"');
  });

  it('rejects a list whose nextUpdate has passed', async () => {
    const crlPem = await ca.revocationList([], 7);

    const err = await rejection(readRevocationList(crlPem, ca.certPem, new Date(Date.now() + 8 * DAY_MS)));

    expect(err.code).toBe('REVOCATION_LIST_INVALID');
    expect(err.details.reason).toBe('expired');
    expect(err.message).toMatch(/^revocation list rejected: it expired at \d{4}-\d\d-\d\dT.*; the CA must sign a fresh one$/);
  });

  it('rejects a list dated in the future', async () => {
    const err = await rejection(readRevocationList(await ca.revocationList([]), ca.certPem, new Date(Date.now() - DAY_MS)));

    expect(err.details.reason).toBe('not-yet-valid');
  });

  it('rejects a list whose bytes were altered after signing', async () => {
    const victim = await ca.issue({ orgId: 'bank-1', role: 'participant' });
    const der = Buffer.from(x509.PemConverter.decodeFirst(await ca.revocationList([victim.identity.serial])));
    // Flip one bit of the revoked serial, inside the signed part.
    const at = der.indexOf(Buffer.from(victim.identity.serial, 'hex'));
    der[at + 5] ^= 0x01;

    const err = await rejection(readRevocationList(x509.PemConverter.encode(der, 'X509 CRL'), ca.certPem));

    expect(err.details.reason).toBe('bad-signature');
  });

  it('rejects text that is not one PEM "X509 CRL" block', async () => {
    const crlPem = await ca.revocationList([]);
    const relabelled = crlPem.replace(/X509 CRL/g, 'CRL');

    expect((await rejection(readRevocationList('garbage', ca.certPem))).details.reason).toBe('unparseable');
    expect((await rejection(readRevocationList(relabelled, ca.certPem))).message).toBe('revocation list rejected: expected one "-----BEGIN X509 CRL-----" block; found CRL');
    expect((await rejection(readRevocationList(crlPem + crlPem, ca.certPem))).details.reason).toBe('unparseable');
    expect((await rejection(readRevocationList(ca.certPem, ca.certPem))).message).toBe('revocation list rejected: expected one "-----BEGIN X509 CRL-----" block; found CERTIFICATE');
  });
});
