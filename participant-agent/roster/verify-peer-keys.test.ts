import { settingsFromWire, settingsToWire, type SecureCollectionSettings } from '../../common/grpc/secagg-codec';
import { CertificateAuthority, proveIdentityKey, type IdentityProof, type IssuedCertificate } from '../../common/pki';
import { identityFromSeed, type IdentityKeyPair } from '../../common/secagg';
import { verifyPeerKeys, type PeerKeyTrust } from './verify-peer-keys';

const ORGS = ['bank-1', 'bank-2', 'bank-3'];
const DAY_MS = 24 * 60 * 60 * 1000;

let ca: CertificateAuthority;
let certificates: Map<string, IssuedCertificate>;
let identities: Map<string, IdentityKeyPair>;
let crlPem: string;

function seed(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

beforeAll(async () => {
  ca = await CertificateAuthority.create('Roster test CA');
  certificates = new Map();
  for (const org of ORGS) certificates.set(org, await ca.issue({ orgId: org, role: 'participant' }));
  identities = new Map(ORGS.map((org, i) => [org, identityFromSeed(org, seed(i + 1))]));
  crlPem = await ca.revocationList([]);
});

function proofOf(org: string, key: Uint8Array = (identities.get(org) as IdentityKeyPair).publicKey, certificate: IssuedCertificate = certificates.get(org) as IssuedCertificate): IdentityProof {
  return proveIdentityKey(org, key, { cert: certificate.certPem, key: certificate.keyPem });
}

/** What an honest coordinator forwards: every member's key and its own proof. */
function honestSettings(): SecureCollectionSettings {
  return {
    threshold: 2,
    degree: 2,
    identityKeys: new Map(ORGS.map((org) => [org, (identities.get(org) as IdentityKeyPair).publicKey])),
    identityProofs: new Map(ORGS.map((org) => [org, proofOf(org)])),
    encoding: { kind: 'exact' },
    encodedElementCount: 8,
    phaseTimeoutMs: 1000,
  };
}

const self = (): { orgId: string; identityKey: Uint8Array } => ({ orgId: 'bank-1', identityKey: (identities.get('bank-1') as IdentityKeyPair).publicKey });
const trust = (overrides: Partial<PeerKeyTrust> = {}): PeerKeyTrust => ({ caCertificate: ca.certPem, revocationList: crlPem, now: new Date(), ...overrides });

describe('verifyPeerKeys', () => {
  it('accepts a roster whose every key is bound to its own certificate, also after the wire', async () => {
    const settings = honestSettings();
    expect(await verifyPeerKeys(settings, self(), trust())).toBeNull();
    const decoded = settingsFromWire(settingsToWire(settings) as Parameters<typeof settingsFromWire>[0], ORGS);
    expect(decoded.identityProofs?.size).toBe(3);
    expect(await verifyPeerKeys(decoded, self(), trust())).toBeNull();
  });

  it("refuses a key the coordinator swapped in for a peer, even with the peer's real proof beside it", async () => {
    const settings = honestSettings();
    settings.identityKeys.set('bank-2', identityFromSeed('bank-2', seed(99)).publicKey);

    expect(await verifyPeerKeys(settings, self(), trust())).toEqual({
      code: 'PEER_KEY_UNVERIFIED',
      field: 'secure.identityKeys.bank-2',
      org: 'bank-2',
      reason: 'bad-signature',
      message: `the identity key given for bank-2 is not bound to bank-2's certificate: its certificate's key (serial ${certificates.get('bank-2')?.identity.serial}) did not sign this identity key for bank-2`,
    });
  });

  it("refuses a proof signed with another organisation's certificate", async () => {
    // bank-3 (or whoever holds its key) vouches for a key under bank-2's name.
    const fake = identityFromSeed('bank-2', seed(98)).publicKey;
    const settings = honestSettings();
    settings.identityKeys.set('bank-2', fake);
    settings.identityProofs?.set('bank-2', proveIdentityKey('bank-2', fake, { cert: certificates.get('bank-3')?.certPem as string, key: certificates.get('bank-3')?.keyPem as string }));

    expect(await verifyPeerKeys(settings, self(), trust())).toMatchObject({ org: 'bank-2', reason: 'other-organisation', message: "the identity key given for bank-2 is not bound to bank-2's certificate: its certificate is bank-3's, not bank-2's" });
  });

  it('refuses a certificate from another CA, even one with the same names', async () => {
    const otherCa = await CertificateAuthority.create('Roster test CA');
    const forged = await otherCa.issue({ orgId: 'bank-2', role: 'participant' });
    const fake = identityFromSeed('bank-2', seed(97)).publicKey;
    const settings = honestSettings();
    settings.identityKeys.set('bank-2', fake);
    settings.identityProofs?.set('bank-2', proofOf('bank-2', fake, forged));

    expect(await verifyPeerKeys(settings, self(), trust())).toMatchObject({ org: 'bank-2', reason: 'not-from-ca', code: 'PEER_KEY_UNVERIFIED' });
  });

  it('refuses a peer whose certificate the revocation list names, and a list it cannot trust', async () => {
    const revoked = await ca.revocationList([certificates.get('bank-3')?.identity.serial as string]);
    const settings = honestSettings();

    expect(await verifyPeerKeys(settings, self(), trust({ revocationList: revoked }))).toMatchObject({
      org: 'bank-3',
      reason: 'revoked',
      message: `the identity key given for bank-3 is not bound to bank-3's certificate: its certificate (serial ${certificates.get('bank-3')?.identity.serial}) is revoked`,
    });
    const foreignList = await (await CertificateAuthority.create('Another CA')).revocationList([]);
    expect(await verifyPeerKeys(settings, self(), trust({ revocationList: foreignList }))).toMatchObject({ org: null, field: 'secure.identityProofs', reason: 'revocation-list-invalid' });
    // A week later the list has expired: without a current one a revoked peer would pass.
    expect(await verifyPeerKeys(settings, self(), trust({ now: new Date(Date.now() + 8 * DAY_MS) }))).toMatchObject({ org: null, reason: 'revocation-list-invalid' });
  });

  it("refuses a coordinator's (or any other role's) certificate naming the peer", async () => {
    const asCoordinator = await ca.issue({ orgId: 'bank-2', role: 'coordinator' });
    const fake = identityFromSeed('bank-2', seed(96)).publicKey;
    const settings = honestSettings();
    settings.identityKeys.set('bank-2', fake);
    settings.identityProofs?.set('bank-2', proofOf('bank-2', fake, asCoordinator));

    expect(await verifyPeerKeys(settings, self(), trust())).toMatchObject({ org: 'bank-2', reason: 'not-a-participant', message: expect.stringContaining('its certificate is a coordinator certificate of bank-2') });
  });

  it('refuses an expired certificate and one not valid yet', async () => {
    const shortLived = await ca.issue({ orgId: 'bank-2', role: 'participant', validDays: 1 });
    const settings = honestSettings();
    settings.identityProofs?.set('bank-2', proofOf('bank-2', undefined, shortLived));
    const list = await ca.revocationList([], 30);

    expect(await verifyPeerKeys(settings, self(), trust({ revocationList: list }))).toBeNull();
    expect(await verifyPeerKeys(settings, self(), trust({ revocationList: list, now: new Date(Date.now() + 2 * DAY_MS) }))).toMatchObject({ org: 'bank-2', reason: 'expired' });
    expect(await verifyPeerKeys(settings, self(), trust({ revocationList: null, now: new Date(Date.now() - DAY_MS) }))).toMatchObject({ org: 'bank-2', reason: 'not-yet-valid' });
  });

  it('refuses a peer key that comes without a proof, or with an unreadable one', async () => {
    const settings = honestSettings();
    settings.identityProofs?.delete('bank-3');
    expect(await verifyPeerKeys(settings, self(), trust())).toMatchObject({ org: 'bank-3', reason: 'missing' });
    expect(await verifyPeerKeys({ ...honestSettings(), identityProofs: undefined }, self(), trust())).toMatchObject({ org: 'bank-2', reason: 'missing' });

    const garbled = honestSettings();
    garbled.identityProofs?.set('bank-2', { certificate: new Uint8Array(40).fill(3), signature: new Uint8Array(70) });
    expect(await verifyPeerKeys(garbled, self(), trust())).toMatchObject({ org: 'bank-2', reason: 'unreadable' });
  });

  it("refuses a roster that gives this organisation another key than its own, or none", async () => {
    const settings = honestSettings();
    const stranger = identityFromSeed('bank-1', seed(95)).publicKey;
    settings.identityKeys.set('bank-1', stranger);
    settings.identityProofs?.set('bank-1', proofOf('bank-1', stranger));

    expect(await verifyPeerKeys(settings, self(), trust())).toMatchObject({ org: 'bank-1', field: 'secure.identityKeys.bank-1', reason: 'not-own-key' });
    settings.identityKeys.delete('bank-1');
    expect(await verifyPeerKeys(settings, self(), trust())).toMatchObject({ org: 'bank-1', reason: 'not-own-key', message: expect.stringContaining('gives bank-1 no identity key') });
  });

  it('reports the first bad member in sorted order, whatever order the coordinator sent', async () => {
    const settings = honestSettings();
    settings.identityKeys = new Map([...settings.identityKeys].reverse());
    settings.identityProofs?.delete('bank-2');
    settings.identityProofs?.delete('bank-3');

    expect(await verifyPeerKeys(settings, self(), trust())).toMatchObject({ org: 'bank-2' });
  });
});
