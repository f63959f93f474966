/**
 * Who a certificate names: "role R of organisation O". Issuing writes it
 * twice, as a URI SAN `urn:shoal:<role>:<orgId>` (what software should read)
 * and as the subject `CN=<orgId>, OU=<role>` (what a person reading
 * `openssl x509 -text` sees); reading requires the two to agree.
 */
import { ConfigError } from '../errors';
import { ID_PATTERN } from '../ids';
import { PkiError } from './errors';
import { x509 } from './x509-library';

/** broker: the federation's NATS server. */
export type CertificateRole = 'participant' | 'regulator' | 'coordinator' | 'aggregator' | 'broker';

export const CERTIFICATE_ROLES: readonly CertificateRole[] = ['participant', 'regulator', 'coordinator', 'aggregator', 'broker'];

export interface CertificateIdentity {
  orgId: string;
  role: CertificateRole;
  /** Lower-case hex, as `tls.PeerCertificate.serialNumber` gives it once lower-cased. */
  serial: string;
}

/** The same rule as ids in a job spec, so a job id can name a coordinator's or aggregator's certificate. */
const ORG_ID = ID_PATTERN;
const URN_PREFIX = 'urn:shoal:';

export function isCertificateRole(value: unknown): value is CertificateRole {
  return typeof value === 'string' && (CERTIFICATE_ROLES as readonly string[]).includes(value);
}

export function isOrgId(value: unknown): value is string {
  return typeof value === 'string' && ORG_ID.test(value);
}

/** `orgId` unchanged, or a ConfigError saying what an org id must look like. */
export function checkOrgId(orgId: unknown): string {
  if (isOrgId(orgId)) return orgId;
  throw new ConfigError(
    `org id ${JSON.stringify(orgId)} is not a lower-case identifier (a letter or digit, then letters, digits, ".", "_" or "-"; at most 63 characters)`,
    { field: 'orgId', found: orgId },
  );
}

export function checkRole(role: unknown): CertificateRole {
  if (isCertificateRole(role)) return role;
  throw new ConfigError(`role ${JSON.stringify(role)} is not one of ${CERTIFICATE_ROLES.join(', ')}`, { field: 'role', found: role });
}

export function identityUrn(role: CertificateRole, orgId: string): string {
  return `${URN_PREFIX}${role}:${orgId}`;
}

/**
 * Serials compared as Node's TLS layer prints them (OpenSSL's BN_bn2hex):
 * lower-cased, without the leading zero bytes DER adds to keep a number
 * positive. Certificates issued here never have one; others may.
 */
export function normalizeSerial(hex: string): string {
  let serial = hex.trim().toLowerCase();
  while (serial.length > 2 && serial.startsWith('00')) serial = serial.slice(2);
  return serial;
}

function parseCertificate(cert: Buffer | string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(cert);
  } catch (err) {
    throw new PkiError('CERTIFICATE_IDENTITY_MISSING', 'the certificate cannot be parsed as X.509', { reason: 'unparseable' }, err);
  }
}

/** The identities the URI SANs state; an empty list when there is no SAN or it holds names this library cannot read. */
function identitiesInSan(cert: x509.X509Certificate): Array<{ orgId: string; role: CertificateRole }> {
  let san: x509.SubjectAlternativeNameExtension | null;
  try {
    san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  } catch {
    // A foreign certificate may carry name forms (otherName, X.400) the library refuses; the subject can still speak.
    return [];
  }
  const found: Array<{ orgId: string; role: CertificateRole }> = [];
  for (const name of san?.names.items ?? []) {
    if (name.type !== 'url' || !name.value.startsWith(URN_PREFIX)) continue;
    const [role, orgId, ...rest] = name.value.slice(URN_PREFIX.length).split(':');
    if (rest.length === 0 && isCertificateRole(role) && isOrgId(orgId)) found.push({ orgId, role });
  }
  return found;
}

function missing(reason: string, message: string, details: Record<string, unknown> = {}): PkiError {
  return new PkiError('CERTIFICATE_IDENTITY_MISSING', message, { reason, ...details });
}

/**
 * Who `cert` (DER bytes, e.g. `PeerCertificate.raw`, or PEM) says it is.
 * The SAN is authoritative; a subject CN or OU that contradicts it makes the
 * certificate ambiguous, and an ambiguous certificate names nobody.
 */
export function identityOfCertificate(cert: Buffer | string): CertificateIdentity {
  const parsed = parseCertificate(cert);
  const serial = normalizeSerial(parsed.serialNumber);
  const commonNames = parsed.subjectName.getField('CN');
  const units = parsed.subjectName.getField('OU');

  const fromSan = identitiesInSan(parsed);
  const distinct = new Set(fromSan.map((id) => identityUrn(id.role, id.orgId)));
  if (distinct.size > 1) throw missing('conflict', `the certificate (serial ${serial}) names several identities: ${[...distinct].join(', ')}`, { serial });

  if (fromSan.length > 0) {
    const { orgId, role } = fromSan[0];
    const agrees = commonNames.every((cn) => cn === orgId) && units.every((ou) => ou === role);
    if (!agrees) {
      throw missing('conflict', `the certificate (serial ${serial}) says ${identityUrn(role, orgId)} but its subject is "${parsed.subject}"`, { serial });
    }
    return { orgId, role, serial };
  }

  // No Shoal SAN: fall back to the subject, but only when it is unambiguous.
  if (commonNames.length === 1 && units.length === 1 && isOrgId(commonNames[0]) && isCertificateRole(units[0])) {
    return { orgId: commonNames[0], role: units[0], serial };
  }
  throw missing(
    'absent',
    `the certificate (serial ${serial}, subject "${parsed.subject}") names no Shoal identity: expected a URI SAN "urn:shoal:<role>:<orgId>" or a subject CN=<orgId>, OU=<role>`,
    { serial },
  );
}
