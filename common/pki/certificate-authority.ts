/**
 * The federation's certificate authority, held in memory: it issues each
 * party's certificate and signs the revocation list. The file-based
 * authority behind `shoal pki` and the launcher's per-job certificates both
 * go through it.
 */
import { ConfigError, errorMessage } from '../errors';
import { checkOrgId, checkRole, identityOfCertificate, type CertificateIdentity, type CertificateRole } from './certificate-identity';
import { caExtensions, caSubject, checkDnsNames, checkIpAddresses, isServerRole, leafExtensions, leafSubject, randomSerial } from './certificate-profile';
import { generateKeyPair, importSigningKey, privateKeyPem, publicKeyDerOf } from './key-pair';
import { checkSerial, checkValidDays, signRevocationList } from './revocation-list';
import { SIGNING_ALGORITHM, x509, type CryptoKey } from './x509-library';

export interface IssueOptions {
  orgId: string;
  role: CertificateRole;
  /** Server roles (coordinator, aggregator) default to `localhost` when neither names nor addresses are given. */
  dnsNames?: string[];
  /** Server roles default to `127.0.0.1` when neither names nor addresses are given. */
  ipAddresses?: string[];
  /** Default 365; never past the CA's own expiry. */
  validDays?: number;
}

/** A certificate the CA signed for a key it does not hold. */
export interface CertifiedKey {
  certPem: string;
  identity: CertificateIdentity;
  /** ISO 8601. */
  notAfter: string;
}

export interface IssuedCertificate extends CertifiedKey {
  /** PKCS#8 PEM. Write it with mode 0600; never log it. */
  keyPem: string;
}

const DEFAULT_CA_NAME = 'Shoal federation CA';
const DEFAULT_CA_DAYS = 3650;
const DEFAULT_LEAF_DAYS = 365;
const DEFAULT_CRL_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Backdating notBefore lets a peer whose clock runs a little behind accept a certificate issued just now. */
const BACKDATE_MS = 5 * 60 * 1000;

function checkCaName(name: unknown): string {
  // 64 is X.520's upper bound for a common name.
  if (typeof name === 'string' && name.trim().length > 0 && name.length <= 64) return name;
  throw new ConfigError(`the CA name must be 1 to 64 characters; found ${JSON.stringify(name)}`, { field: 'name', found: name });
}

export class CertificateAuthority {
  readonly certPem: string;
  /** PKCS#8 PEM of the CA's signing key. Never log it. */
  readonly keyPem: string;
  readonly #certificate: x509.X509Certificate;
  readonly #signingKey: CryptoKey;

  private constructor(certificate: x509.X509Certificate, keyPem: string, signingKey: CryptoKey) {
    this.#certificate = certificate;
    this.certPem = certificate.toString('pem');
    this.keyPem = keyPem;
    this.#signingKey = signingKey;
  }

  /** A new self-signed CA with a fresh P-256 key. */
  static async create(name: string = DEFAULT_CA_NAME, validDays: number = DEFAULT_CA_DAYS): Promise<CertificateAuthority> {
    const subject = caSubject(checkCaName(name));
    const days = checkValidDays(validDays, 'the CA validity');
    const keys = await generateKeyPair();
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: subject,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + days * DAY_MS),
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: await caExtensions(keys.publicKey),
    });
    return new CertificateAuthority(certificate, privateKeyPem(keys.privateKey), keys.privateKey);
  }

  /** An existing CA; ConfigError unless the certificate is a CA certificate and the key is its key. */
  static async fromPem(certPem: string, keyPem: string): Promise<CertificateAuthority> {
    let certificate: x509.X509Certificate;
    try {
      certificate = new x509.X509Certificate(certPem);
    } catch (err) {
      throw new ConfigError(`the CA certificate is not a readable X.509 PEM: ${errorMessage(err)}`, {}, err);
    }
    if (!certificate.getExtension(x509.BasicConstraintsExtension)?.ca) {
      throw new ConfigError(`the certificate "${certificate.subject}" is not a CA certificate (basicConstraints CA:true is missing)`);
    }
    const signingKey = await importSigningKey(keyPem, 'the CA key');
    if (!publicKeyDerOf(keyPem, 'the CA key').equals(Buffer.from(certificate.publicKey.rawData))) {
      throw new ConfigError(`the CA key does not belong to the CA certificate "${certificate.subject}"`);
    }
    return new CertificateAuthority(certificate, keyPem, signingKey);
  }

  /** A certificate and new key for one party. */
  async issue(options: IssueOptions): Promise<IssuedCertificate> {
    const keys = await generateKeyPair();
    const certified = await this.certify(options, keys.publicKey);
    return { ...certified, keyPem: privateKeyPem(keys.privateKey) };
  }

  /**
   * A certificate for a public key the party made and kept itself (from a
   * certificate signing request): the CA never sees its private key. Every
   * name and extension comes from `options` and the profile, none from the request.
   */
  async certify(options: IssueOptions, publicKey: CryptoKey): Promise<CertifiedKey> {
    const orgId = checkOrgId(options.orgId);
    const role = checkRole(options.role);
    const days = checkValidDays(options.validDays ?? DEFAULT_LEAF_DAYS, 'the certificate validity');
    let dnsNames = checkDnsNames(options.dnsNames ?? []);
    let ipAddresses = checkIpAddresses(options.ipAddresses ?? []);
    if (isServerRole(role) && dnsNames.length === 0 && ipAddresses.length === 0) {
      // A server with no names would fail every client's host check; these suit one machine, tests and simulation.
      dnsNames = ['localhost'];
      ipAddresses = ['127.0.0.1'];
    }

    const now = Date.now();
    // A certificate outliving its CA would only ever fail to verify; stop it with the CA.
    const notAfter = new Date(Math.min(now + days * DAY_MS, this.#certificate.notAfter.getTime()));
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: leafSubject(orgId, role),
      issuer: this.#certificate.subjectName,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter,
      publicKey,
      signingKey: this.#signingKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: await leafExtensions({
        orgId,
        role,
        dnsNames,
        ipAddresses,
        publicKey,
        issuerKeyId: this.#certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
      }),
    });
    const certPem = certificate.toString('pem');
    return { certPem, identity: identityOfCertificate(certPem), notAfter: certificate.notAfter.toISOString() };
  }

  /** A CRL signed by this CA listing these serials (may be empty), valid for `validDays` (default 7). */
  async revocationList(revokedSerials: string[], validDays: number = DEFAULT_CRL_DAYS): Promise<string> {
    const now = new Date();
    // The same serial twice (differently spelled, say) would make the library refuse the list.
    const serials = [...new Set(revokedSerials.map(checkSerial))];
    return signRevocationList({
      issuer: this.#certificate,
      signingKey: this.#signingKey,
      entries: serials.map((serial) => ({ serial, revokedAt: now })),
      validDays: checkValidDays(validDays, 'the revocation list validity'),
      now,
    });
  }
}
