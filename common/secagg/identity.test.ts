import { thrownShoalError } from '../testing/thrown-shoal-error';
import { generateIdentity, identityFromPem, identityFromSeed, publicKeyFromPem, verifySignature } from './identity';

describe('identity', () => {
  const message = Buffer.from('shoal/secagg/test');

  it('signs with a generated key and verifies against the raw public key', () => {
    const identity = generateIdentity('org-a');
    const signature = identity.sign(message);
    expect(identity.publicKey).toHaveLength(32);
    expect(signature).toHaveLength(64);
    expect(verifySignature(identity.publicKey, message, signature)).toBe(true);
    expect(verifySignature(identity.publicKey, Buffer.from('other'), signature)).toBe(false);
    expect(verifySignature(generateIdentity('org-b').publicKey, message, signature)).toBe(false);
    expect(verifySignature(identity.publicKey, message, signature.subarray(1))).toBe(false);
    expect(verifySignature(new Uint8Array(3), message, signature)).toBe(false);
  });

  it('round-trips through PEM', () => {
    const identity = generateIdentity('org-a');
    const restored = identityFromPem('org-a', identity.privateKeyPem);
    expect(Buffer.from(restored.publicKey)).toEqual(Buffer.from(identity.publicKey));
    expect(Buffer.from(publicKeyFromPem(identity.privateKeyPem))).toEqual(Buffer.from(identity.publicKey));
    expect(verifySignature(identity.publicKey, message, restored.sign(message))).toBe(true);
    thrownShoalError(() => identityFromPem('org-a', 'not a pem'), 'CONFIG_INVALID');
  });

  it('derives the same key from the same seed', () => {
    const seed = new Uint8Array(32).fill(7);
    expect(Buffer.from(identityFromSeed('a', seed).publicKey)).toEqual(Buffer.from(identityFromSeed('a', seed).publicKey));
    thrownShoalError(() => identityFromSeed('a', new Uint8Array(31)), 'CONFIG_INVALID');
  });

  it('exposes no private key material as a field', () => {
    expect(Object.keys(identityFromSeed('a', new Uint8Array(32).fill(1))).sort()).toEqual(['orgId', 'publicKey', 'sign']);
  });
});
