import { X509Certificate } from 'node:crypto';
import { CertificateAuthority } from './certificate-authority';
import { identityOfCertificate, normalizeSerial } from './certificate-identity';
import { generateKeyPair } from './key-pair';
import { SIGNING_ALGORITHM, x509 } from './x509-library';

/** A certificate shaped by hand, to show how identities other than the ones `issue` writes are read. */
async function handMade(subject: x509.JsonName, uris: string[], serialNumber = '0102030405'): Promise<string> {
  const keys = await generateKeyPair();
  const extensions = uris.length > 0 ? [new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value })))] : [];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber, name: subject, keys, signingAlgorithm: SIGNING_ALGORITHM, extensions });
  return cert.toString('pem');
}

function missingReason(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    expect(err).toMatchObject({ code: 'CERTIFICATE_IDENTITY_MISSING' });
    return (err as { details: { reason: unknown } }).details.reason;
  }
  throw new Error('expected CERTIFICATE_IDENTITY_MISSING');
}

describe('identityOfCertificate', () => {
  it('reads the same identity from PEM and from DER, with the serial as Node prints it', async () => {
    const ca = await CertificateAuthority.create();
    const issued = await ca.issue({ orgId: 'bank-1', role: 'participant' });
    const der = new X509Certificate(issued.certPem).raw;

    const fromPem = identityOfCertificate(issued.certPem);
    const fromDer = identityOfCertificate(der);

    expect(fromPem).toEqual({ orgId: 'bank-1', role: 'participant', serial: new X509Certificate(issued.certPem).serialNumber.toLowerCase() });
    expect(fromDer).toEqual(fromPem);
  });

  it.each(['0102030405', 'ff01', '0a0b0c'])('agrees with Node on the spelling of serial %s', async (serialNumber) => {
    const pem = await handMade([{ CN: ['bank-1'] }, { OU: ['participant'] }], [], serialNumber);

    expect(identityOfCertificate(pem).serial).toBe(new X509Certificate(pem).serialNumber.toLowerCase());
  });

  it('falls back to the subject when there is no Shoal URI', async () => {
    const pem = await handMade([{ CN: ['hospital-3'] }, { OU: ['regulator'] }], ['https://example.org/not-shoal']);

    expect(identityOfCertificate(pem)).toEqual({ orgId: 'hospital-3', role: 'regulator', serial: '0102030405' });
  });

  it('takes the URI when the subject has no CN or OU', async () => {
    const pem = await handMade([{ O: ['Elsewhere'] }], ['urn:shoal:coordinator:job-9']);

    expect(identityOfCertificate(pem)).toMatchObject({ orgId: 'job-9', role: 'coordinator' });
  });

  it('refuses a certificate whose subject contradicts its URI', async () => {
    const otherOrg = await handMade([{ CN: ['bank-2'] }, { OU: ['participant'] }], ['urn:shoal:participant:bank-1']);
    const otherRole = await handMade([{ CN: ['bank-1'] }, { OU: ['regulator'] }], ['urn:shoal:participant:bank-1']);

    expect(missingReason(() => identityOfCertificate(otherOrg))).toBe('conflict');
    expect(missingReason(() => identityOfCertificate(otherRole))).toBe('conflict');
  });

  it('refuses a certificate naming two Shoal identities', async () => {
    const pem = await handMade([], ['urn:shoal:participant:bank-1', 'urn:shoal:regulator:bank-1']);

    expect(missingReason(() => identityOfCertificate(pem))).toBe('conflict');
  });

  it('refuses a certificate with no well-formed identity anywhere', async () => {
    const badUrn = await handMade([{ CN: ['Bank One'] }, { OU: ['participant'] }], ['urn:shoal:admin:bank-1', 'urn:shoal:participant:Bank-1']);
    const noOu = await handMade([{ CN: ['bank-1'] }], []);

    expect(missingReason(() => identityOfCertificate(badUrn))).toBe('absent');
    expect(missingReason(() => identityOfCertificate(noOu))).toBe('absent');
    expect(missingReason(() => identityOfCertificate(Buffer.from('not a certificate')))).toBe('unparseable');
  });
});

describe('normalizeSerial', () => {
  it('lower-cases and drops the leading zero bytes DER adds, as OpenSSL prints serials', () => {
    expect(normalizeSerial('00AB12')).toBe('ab12');
    expect(normalizeSerial('0A0b')).toBe('0a0b');
    expect(normalizeSerial('00')).toBe('00');
  });
});
