import { createCertificateRequest, readCertificateRequest } from './certificate-request';
import { publicKeyDerOf } from './key-pair';
import { SIGNING_ALGORITHM, webcrypto, x509 } from './x509-library';

const BANK_1 = { orgId: 'bank-1', role: 'participant' } as const;

async function spki(key: webcrypto.CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey('spki', key));
}

describe('certificate signing requests', () => {
  it('carry the public key of the private key the party keeps, and name it exactly', async () => {
    const { csrPem, keyPem } = await createCertificateRequest(BANK_1);

    expect(csrPem.startsWith('-----BEGIN CERTIFICATE REQUEST-----')).toBe(true);
    expect(new x509.Pkcs10CertificateRequest(csrPem).subject).toBe('CN=bank-1, OU=participant, O=Shoal');
    expect((await spki(await readCertificateRequest(csrPem, BANK_1))).equals(publicKeyDerOf(keyPem))).toBe(true);
  });

  it('refuse a subject with anything besides the expected names, in any order', async () => {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const make = (name: x509.JsonName): Promise<string> => x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: SIGNING_ALGORITHM }).then((r) => r.toString('pem'));

    const reordered = await make([{ O: ['Shoal'] }, { OU: ['participant'] }, { CN: ['bank-1'] }]);
    const extra = await make([{ CN: ['bank-1'] }, { OU: ['participant'] }, { O: ['Shoal'] }, { C: ['GB'] }]);
    const twoNames = await make([{ CN: ['bank-1'] }, { CN: ['bank-2'] }, { OU: ['participant'] }, { O: ['Shoal'] }]);

    expect(await spki(await readCertificateRequest(reordered, BANK_1))).toEqual(await spki(keys.publicKey));
    await expect(readCertificateRequest(extra, BANK_1)).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { field: 'csr', reason: 'subject-mismatch' } });
    await expect(readCertificateRequest(twoNames, BANK_1)).rejects.toMatchObject({ details: { reason: 'subject-mismatch' } });
  });

  it('refuse a key other than ECDSA P-256', async () => {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);
    const request = await x509.Pkcs10CertificateRequestGenerator.create({ name: [{ CN: ['bank-1'] }, { OU: ['participant'] }, { O: ['Shoal'] }], keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } });

    await expect(readCertificateRequest(request.toString('pem'), BANK_1)).rejects.toMatchObject({
      details: { reason: 'unsupported-key' },
      message: 'certificate signing request refused: its key is ECDSA P-384; expected ECDSA P-256',
    });
  });

  it('refuse a request whose signature is not by its own key', async () => {
    const { csrPem } = await createCertificateRequest(BANK_1);
    const der = Buffer.from(new x509.Pkcs10CertificateRequest(csrPem).rawData);
    // The signature is the last thing in the request: change its last byte.
    der[der.length - 1] ^= 0x01;

    await expect(readCertificateRequest(x509.PemConverter.encode(der, 'CERTIFICATE REQUEST'), BANK_1)).rejects.toMatchObject({ details: { reason: 'bad-signature' } });
  });

  it('check the organisation and role asked for before reading anything', async () => {
    const { csrPem } = await createCertificateRequest(BANK_1);

    await expect(readCertificateRequest(csrPem, { orgId: '../bank-1', role: 'participant' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { field: 'orgId' } });
    await expect(createCertificateRequest({ orgId: 'bank-1', role: 'boss' as 'participant' })).rejects.toMatchObject({ details: { field: 'role' } });
  });
});
