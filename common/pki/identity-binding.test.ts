import { X509Certificate } from 'node:crypto';
import { CertificateAuthority, type IssuedCertificate } from './certificate-authority';
import { checkIdentityProof, identityBindingMessage, identityProofSigned, proveIdentityKey } from './identity-binding';

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);

let ca: CertificateAuthority;
let bank1: IssuedCertificate;

beforeAll(async () => {
  ca = await CertificateAuthority.create();
  bank1 = await ca.issue({ orgId: 'bank-1', role: 'participant' });
});

describe('identityBindingMessage', () => {
  it('is the domain, the length-prefixed organisation and the key', () => {
    expect(identityBindingMessage('bank-1', KEY).toString('hex')).toBe(Buffer.concat([Buffer.from('shoal/identity-binding/v1\0'), Buffer.from([0, 6]), Buffer.from('bank-1'), Buffer.from(KEY)]).toString('hex'));
  });

  it('differs for another organisation or key, including ones that would run together without the length', () => {
    const messages = [identityBindingMessage('bank-1', KEY), identityBindingMessage('bank-2', KEY), identityBindingMessage('bank-1', OTHER_KEY), identityBindingMessage('bank-1\x07', KEY.subarray(1))];
    expect(new Set(messages.map((m) => m.toString('hex'))).size).toBe(4);
  });
});

describe('proveIdentityKey', () => {
  it("carries the certificate's DER and verifies only for the organisation and key it was made for", () => {
    const proof = proveIdentityKey('bank-1', KEY, { cert: bank1.certPem, key: bank1.keyPem });

    expect(Buffer.from(proof.certificate).equals(new X509Certificate(bank1.certPem).raw)).toBe(true);
    expect(identityProofSigned(proof, 'bank-1', KEY)).toBe(true);
    expect(identityProofSigned(proof, 'bank-1', OTHER_KEY)).toBe(false);
    expect(identityProofSigned(proof, 'bank-2', KEY)).toBe(false);
    const flipped = Uint8Array.from(proof.signature);
    flipped[flipped.length - 1] ^= 1;
    expect(identityProofSigned({ ...proof, signature: flipped }, 'bank-1', KEY)).toBe(false);
    expect(identityProofSigned(proof, 'bank-1', KEY.subarray(0, 31))).toBe(false);
  });

  it('passes every check of checkIdentityProof against the CA that issued it', () => {
    const proof = proveIdentityKey('bank-1', KEY, { cert: bank1.certPem, key: bank1.keyPem });
    const trust = { caCertificate: ca.certPem, revokedSerials: new Set<string>(), now: new Date() };

    expect(checkIdentityProof(proof, { orgId: 'bank-1', identityKey: KEY }, trust)).toBeNull();
    expect(checkIdentityProof(proof, { orgId: 'bank-1', identityKey: KEY }, { ...trust, revokedSerials: new Set([bank1.identity.serial]) })?.reason).toBe('revoked');
    expect(checkIdentityProof(undefined, { orgId: 'bank-1', identityKey: KEY }, trust)?.reason).toBe('missing');
  });

  it('refuses a CA certificate offered as a participant certificate', async () => {
    // The CA's own certificate and key: a proof signed by the CA operator is still not the organisation's.
    const proof = proveIdentityKey('bank-1', KEY, { cert: ca.certPem, key: ca.keyPem });

    expect(checkIdentityProof(proof, { orgId: 'bank-1', identityKey: KEY }, { caCertificate: ca.certPem, revokedSerials: new Set(), now: new Date() })?.reason).toBe('not-from-ca');
  });
});
