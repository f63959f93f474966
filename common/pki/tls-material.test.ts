import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority, type IssuedCertificate } from './certificate-authority';
import { loadTlsMaterial, tlsMaterialFrom, type TlsFiles } from './tls-material';

let dir: string;
let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let issued: IssuedCertificate;
let files: Required<TlsFiles>;
let crlPem: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-tls-'));
  ca = await CertificateAuthority.create();
  otherCa = await CertificateAuthority.create('Another federation CA');
  issued = await ca.issue({ orgId: 'bank-1', role: 'participant' });
  crlPem = await ca.revocationList([]);
  files = { ca: join(dir, 'ca.crt.pem'), cert: join(dir, 'bank-1.crt.pem'), key: join(dir, 'bank-1.key.pem'), crl: join(dir, 'crl.pem') };
  writeFileSync(files.ca, ca.certPem);
  writeFileSync(files.cert, issued.certPem);
  writeFileSync(files.key, issued.keyPem, { mode: 0o600 });
  writeFileSync(files.crl, crlPem);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadTlsMaterial', () => {
  it('loads the files and reads the identity from the certificate', () => {
    const material = loadTlsMaterial(files);

    expect(material.ca.toString()).toBe(ca.certPem);
    expect(material.cert.toString()).toBe(issued.certPem);
    expect(material.key.toString()).toBe(issued.keyPem);
    expect(material.crlPem).toBe(crlPem);
    expect(material.identity).toEqual(issued.identity);
  });

  it('has no revocation list when none is named', () => {
    expect(loadTlsMaterial({ ca: files.ca, cert: files.cert, key: files.key }).crlPem).toBeNull();
  });

  it.each([
    ['ca', 'CA certificate'],
    ['cert', 'certificate'],
    ['key', 'private key'],
    ['crl', 'revocation list'],
  ] as const)('names a missing %s file', (kind, what) => {
    const missing = join(dir, `missing-${kind}.pem`);

    expect(() => loadTlsMaterial({ ...files, [kind]: missing })).toThrow(`the ${what} file ${missing} does not exist`);
  });

  it('names a certificate another CA issued', () => {
    const stranger = write('stranger-ca.crt.pem', otherCa.certPem);

    expect(() => loadTlsMaterial({ ...files, ca: stranger })).toThrow(
      `the certificate file ${files.cert} was not issued by the CA in the CA certificate file ${stranger} (its issuer is "CN=Shoal federation CA, O=Shoal"; the CA is "CN=Another federation CA, O=Shoal")`,
    );
  });

  it('names a key that belongs to another certificate', async () => {
    const otherKey = write('other.key.pem', (await ca.issue({ orgId: 'bank-2', role: 'participant' })).keyPem);

    expect(() => loadTlsMaterial({ ...files, key: otherKey })).toThrow(`the private key file ${otherKey} is not the private key of the certificate file ${files.cert}`);
  });

  it('names files that hold the wrong thing, without echoing a key', () => {
    const notCert = write('not-a-cert.pem', 'hello');
    const notCa = write('leaf-as-ca.pem', issued.certPem);
    const notCrl = write('not-a-crl.pem', ca.certPem);

    expect(() => loadTlsMaterial({ ...files, cert: notCert })).toThrow(`the certificate file ${notCert} does not hold a readable X.509 certificate`);
    expect(() => loadTlsMaterial({ ...files, ca: notCa })).toThrow(`the CA certificate file ${notCa} holds "CN=bank-1, OU=participant, O=Shoal", which is not a CA certificate`);
    expect(() => loadTlsMaterial({ ...files, key: files.cert })).toThrow(`the private key file ${files.cert} does not hold a readable private key PEM`);
    expect(() => loadTlsMaterial({ ...files, crl: notCrl })).toThrow(`the revocation list file ${notCrl} is not a PEM revocation list`);
  });

  it('names an expired certificate', async () => {
    const shortCa = await CertificateAuthority.create('Short CA', 1);
    const leaf = await shortCa.issue({ orgId: 'bank-1', role: 'participant' });
    const paths = { ca: write('short-ca.pem', shortCa.certPem), cert: write('short.crt.pem', leaf.certPem), key: write('short.key.pem', leaf.keyPem) };
    jest.useFakeTimers({ now: Date.now() + 2 * 24 * 60 * 60 * 1000, doNotFake: ['nextTick', 'setImmediate'] });
    try {
      expect(() => loadTlsMaterial(paths)).toThrow(`the CA certificate file ${paths.ca} expired on `);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('tlsMaterialFrom', () => {
  it('builds the same material from an in-memory CA or its certificate', () => {
    const fromCa = tlsMaterialFrom(ca, issued, crlPem);
    const fromPem = tlsMaterialFrom(ca.certPem, issued);

    expect(fromCa).toEqual({ ca: Buffer.from(ca.certPem), cert: Buffer.from(issued.certPem), key: Buffer.from(issued.keyPem), crlPem, identity: issued.identity });
    expect(fromPem).toEqual({ ...fromCa, crlPem: null });
  });

  it('refuses a certificate from another CA', () => {
    expect(() => tlsMaterialFrom(otherCa, issued)).toThrow('the certificate of participant bank-1 was not issued by the CA in the CA certificate');
  });
});
