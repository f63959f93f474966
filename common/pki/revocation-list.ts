/**
 * Certificate revocation lists: signing one with the CA's key, and reading
 * one back only after checking it is the CA's own and still current. An
 * unverified list would let anyone who can write the file decide who is
 * revoked, or silently un-revoke someone by serving an old list.
 */
import { ConfigError, errorMessage } from '../errors';
import { normalizeSerial } from './certificate-identity';
import { PkiError } from './errors';
import { SIGNING_ALGORITHM, x509, type CryptoKey } from './x509-library';

/** The PEM label OpenSSL (and so Node's `tls` `crl` option) reads; the library's own default, "CRL", it does not. */
const CRL_PEM_LABEL = 'X509 CRL';
const DAY_MS = 24 * 60 * 60 * 1000;
/** Clocks at different organisations disagree a little; a list signed "just now" elsewhere must still read as current. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const HEX_SERIAL = /^[0-9a-f]{1,40}$/;

export interface RevokedEntry {
  serial: string;
  revokedAt: Date;
}

export function checkSerial(serial: unknown): string {
  const normalized = typeof serial === 'string' ? normalizeSerial(serial.replace(/:/g, '')) : '';
  if (!HEX_SERIAL.test(normalized)) throw new ConfigError(`serial ${JSON.stringify(serial)} is not a certificate serial (hexadecimal, at most 20 bytes)`, { field: 'serial', found: serial });
  return normalized;
}

export function checkValidDays(days: unknown, what: string): number {
  if (typeof days === 'number' && Number.isInteger(days) && days > 0) return days;
  throw new ConfigError(`${what} must be a whole number of days, at least 1; found ${JSON.stringify(days)}`, { field: 'validDays', found: days });
}

export async function signRevocationList(options: {
  issuer: x509.X509Certificate;
  signingKey: CryptoKey;
  entries: readonly RevokedEntry[];
  validDays: number;
  now?: Date;
}): Promise<string> {
  const now = options.now ?? new Date();
  const extensions: x509.Extension[] = [];
  // The authority key id lets a verifier with several CAs loaded pick the right one.
  const issuerKeyId = options.issuer.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (issuerKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerKeyId));
  const crl = await x509.X509CrlGenerator.create({
    issuer: options.issuer.subjectName,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + options.validDays * DAY_MS),
    entries: options.entries.map((entry) => ({ serialNumber: entry.serial, revocationDate: entry.revokedAt })),
    extensions,
    signingAlgorithm: SIGNING_ALGORITHM,
    signingKey: options.signingKey,
  });
  return x509.PemConverter.encode(crl.rawData, CRL_PEM_LABEL);
}

function invalid(reason: string, message: string, cause?: unknown): PkiError {
  return new PkiError('REVOCATION_LIST_INVALID', `revocation list rejected: ${message}`, { reason }, cause);
}

function sameBytes(a: ArrayBuffer, b: ArrayBuffer): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function parseCaCertificate(caCertPem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(caCertPem);
  } catch (err) {
    throw new ConfigError(`the CA certificate is not a readable X.509 PEM: ${errorMessage(err)}`, {}, err);
  }
}

function parseCrl(crlPem: string): x509.X509Crl {
  let blocks: x509.PemStruct[];
  try {
    blocks = x509.PemConverter.decodeWithHeaders(crlPem);
  } catch (err) {
    throw invalid('unparseable', 'it is not PEM', err);
  }
  if (blocks.length !== 1 || blocks[0].type !== CRL_PEM_LABEL) {
    const found = blocks.map((block) => block.type).join(', ') || 'no PEM block';
    throw invalid('unparseable', `expected one "-----BEGIN ${CRL_PEM_LABEL}-----" block; found ${found}`);
  }
  try {
    return new x509.X509Crl(blocks[0].rawData);
  } catch (err) {
    throw invalid('unparseable', `its contents are not an X.509 CRL (${errorMessage(err)})`, err);
  }
}

/**
 * The serials (lower-case hex) a CRL revokes, after checking the CA issued
 * and signed it and that it has not passed its nextUpdate at `now`.
 */
export async function readRevocationList(crlPem: string, caCertPem: string, now: Date = new Date()): Promise<Set<string>> {
  const ca = parseCaCertificate(caCertPem);
  const crl = parseCrl(crlPem);

  if (!sameBytes(crl.issuerName.toArrayBuffer(), ca.subjectName.toArrayBuffer())) {
    throw invalid('wrong-issuer', `it was issued by "${crl.issuer}", not by the CA "${ca.subject}"`);
  }
  let signed: boolean;
  try {
    signed = await crl.verify({ publicKey: ca.publicKey });
  } catch (err) {
    throw invalid('bad-signature', `its signature cannot be checked (${errorMessage(err)})`, err);
  }
  if (!signed) throw invalid('bad-signature', `its signature does not verify with the key of the CA "${ca.subject}"`);

  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw invalid('not-yet-valid', `it is dated ${crl.thisUpdate.toISOString()}, in the future`);
  }
  const nextUpdate = crl.nextUpdate;
  // Without a nextUpdate a stale list would be current forever; RFC 5280 requires one.
  if (!nextUpdate) throw invalid('no-next-update', 'it has no nextUpdate, so it never goes out of date');
  if (nextUpdate.getTime() < now.getTime()) {
    throw invalid('expired', `it expired at ${nextUpdate.toISOString()}; the CA must sign a fresh one`);
  }
  return new Set(crl.entries.map((entry) => normalizeSerial(entry.serialNumber)));
}
