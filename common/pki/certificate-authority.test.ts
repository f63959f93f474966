import { createPrivateKey } from 'node:crypto';
import { CertificateAuthority } from './certificate-authority';
import { x509 } from './x509-library';

const DAY_MS = 24 * 60 * 60 * 1000;

let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
beforeAll(async () => {
  ca = await CertificateAuthority.create();
  otherCa = await CertificateAuthority.create('Another federation CA');
});

function parse(pem: string): x509.X509Certificate {
  return new x509.X509Certificate(pem);
}

function sanOf(cert: x509.X509Certificate): Array<{ type: string; value: string }> {
  return cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
}

describe('CertificateAuthority.create', () => {
  it('makes a self-signed CA that may sign certificates and CRLs but no intermediate CA', async () => {
    const cert = parse(ca.certPem);

    expect(cert.subject).toBe('CN=Shoal federation CA, O=Shoal');
    expect(await cert.isSelfSigned()).toBe(true);
    const constraints = cert.getExtension(x509.BasicConstraintsExtension);
    expect(constraints?.ca).toBe(true);
    expect(constraints?.pathLength).toBe(0);
    expect(constraints?.critical).toBe(true);
    expect(cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ca.keyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    expect(createPrivateKey(ca.keyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('is valid for 3650 days unless told otherwise', async () => {
    const short = await CertificateAuthority.create('Short CA', 30);

    expect(Math.round((parse(ca.certPem).notAfter.getTime() - Date.now()) / DAY_MS)).toBe(3650);
    expect(Math.round((parse(short.certPem).notAfter.getTime() - Date.now()) / DAY_MS)).toBe(30);
  });

  it('refuses an empty name and a validity that is not a whole positive number of days', async () => {
    await expect(CertificateAuthority.create('')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(CertificateAuthority.create('CA', 0)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('CA validity') });
    await expect(CertificateAuthority.create('CA', 1.5)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('CertificateAuthority.fromPem', () => {
  it('restores a CA whose certificates verify against the original', async () => {
    const restored = await CertificateAuthority.fromPem(ca.certPem, ca.keyPem);
    const issued = await restored.issue({ orgId: 'bank-1', role: 'participant' });

    expect(restored.certPem).toBe(ca.certPem);
    expect(restored.keyPem).toBe(ca.keyPem);
    expect(await parse(issued.certPem).verify({ publicKey: parse(ca.certPem).publicKey, signatureOnly: true })).toBe(true);
  });

  it('refuses a key that is not the CA certificate’s', async () => {
    await expect(CertificateAuthority.fromPem(ca.certPem, otherCa.keyPem)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'the CA key does not belong to the CA certificate "CN=Shoal federation CA, O=Shoal"',
    });
  });

  it('refuses a certificate that is not a CA, and text that is not a certificate or key', async () => {
    const leaf = await ca.issue({ orgId: 'bank-1', role: 'participant' });

    await expect(CertificateAuthority.fromPem(leaf.certPem, leaf.keyPem)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('is not a CA certificate') });
    await expect(CertificateAuthority.fromPem('not a certificate', ca.keyPem)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('not a readable X.509 PEM') });
    await expect(CertificateAuthority.fromPem(ca.certPem, 'not a key')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: 'the CA key is not a readable private key PEM' });
  });
});

describe('CertificateAuthority.issue', () => {
  it('issues a certificate that verifies against its CA and not against another', async () => {
    const issued = await ca.issue({ orgId: 'bank-1', role: 'participant' });
    const cert = parse(issued.certPem);

    expect(await cert.verify({ publicKey: parse(ca.certPem).publicKey })).toBe(true);
    expect(await cert.verify({ publicKey: parse(otherCa.certPem).publicKey })).toBe(false);
    expect(cert.issuer).toBe('CN=Shoal federation CA, O=Shoal');
  });

  it('writes the participant profile: subject, URN, client use only, not a CA', async () => {
    const issued = await ca.issue({ orgId: 'bank-1', role: 'participant' });
    const cert = parse(issued.certPem);

    expect(cert.subject).toBe('CN=bank-1, OU=participant, O=Shoal');
    expect(sanOf(cert)).toEqual([{ type: 'url', value: 'urn:shoal:participant:bank-1' }]);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(parse(ca.certPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(issued.identity).toEqual({ orgId: 'bank-1', role: 'participant', serial: cert.serialNumber });
    expect(issued.notAfter).toBe(cert.notAfter.toISOString());
  });

  it('gives servers both TLS uses and, when no names are given, localhost and 127.0.0.1', async () => {
    const cert = parse((await ca.issue({ orgId: 'job-7', role: 'aggregator' })).certPem);

    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    expect(sanOf(cert)).toEqual([
      { type: 'url', value: 'urn:shoal:aggregator:job-7' },
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]);
  });

  it('puts the given DNS names and addresses in place of the defaults', async () => {
    const cert = parse((await ca.issue({ orgId: 'job-7', role: 'coordinator', dnsNames: ['coord.example.org'], ipAddresses: ['10.0.0.5', '::1'] })).certPem);

    expect(sanOf(cert)).toEqual([
      { type: 'url', value: 'urn:shoal:coordinator:job-7' },
      { type: 'dns', value: 'coord.example.org' },
      { type: 'ip', value: '10.0.0.5' },
      { type: 'ip', value: '::1' },
    ]);
  });

  it('uses a fresh 16-byte positive serial and a fresh P-256 key each time', async () => {
    const first = await ca.issue({ orgId: 'bank-1', role: 'participant' });
    const second = await ca.issue({ orgId: 'bank-1', role: 'participant' });

    for (const issued of [first, second]) {
      expect(issued.identity.serial).toMatch(/^[0-7][0-9a-f]{31}$/);
      expect(issued.identity.serial.startsWith('00')).toBe(false);
      expect(issued.keyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
      expect(createPrivateKey(issued.keyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
    expect(first.identity.serial).not.toBe(second.identity.serial);
    expect(first.keyPem).not.toBe(second.keyPem);
  });

  it('is valid for 365 days by default, for validDays when given, and never past the CA', async () => {
    const shortCa = await CertificateAuthority.create('Short CA', 10);
    const days = (issuedNotAfter: string): number => Math.round((Date.parse(issuedNotAfter) - Date.now()) / DAY_MS);

    expect(days((await ca.issue({ orgId: 'bank-1', role: 'participant' })).notAfter)).toBe(365);
    expect(days((await ca.issue({ orgId: 'bank-1', role: 'participant', validDays: 2 })).notAfter)).toBe(2);
    expect((await shortCa.issue({ orgId: 'bank-1', role: 'participant' })).notAfter).toBe(parse(shortCa.certPem).notAfter.toISOString());
  });

  it.each([
    [{ orgId: 'Bank-1', role: 'participant' }, 'org id "Bank-1" is not a lower-case identifier'],
    [{ orgId: '-bank', role: 'participant' }, 'org id "-bank" is not a lower-case identifier'],
    [{ orgId: 'a'.repeat(64), role: 'participant' }, 'is not a lower-case identifier'],
    [{ orgId: 'bank:1', role: 'participant' }, 'org id "bank:1" is not a lower-case identifier'],
    [{ orgId: 'bank-1', role: 'admin' }, 'role "admin" is not one of participant, regulator, coordinator, aggregator'],
    [{ orgId: 'bank-1', role: 'participant', validDays: 0 }, 'the certificate validity must be a whole number of days'],
    [{ orgId: 'job-1', role: 'aggregator', dnsNames: ['bad name'] }, '"bad name" is not a DNS name'],
    [{ orgId: 'job-1', role: 'aggregator', ipAddresses: ['300.1.1.1'] }, '"300.1.1.1" is not an IPv4 or IPv6 address'],
  ])('refuses %j with a ConfigError', async (options, message) => {
    await expect(ca.issue(options as never)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(message) });
  });
});
