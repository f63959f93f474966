/**
 * The authority as a directory, for `shoal pki`: the CA's certificate and
 * key, the current revocation list, and issued.json, the record of every
 * certificate issued (serials are what revocation names, so each must be
 * findable later by organisation and role).
 *
 *   <dir>/ca.crt.pem   the CA certificate, handed to every party
 *   <dir>/ca.key.pem   the CA key (0600); whoever holds it can mint identities
 *   <dir>/crl.pem      the revocation list, handed to every party
 *   <dir>/issued.json  the record of issued certificates
 *
 * Commands on one directory run one at a time within a process; two
 * processes writing the same directory at once are not guarded against.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, errorMessage, hasCode } from '../errors';
import { parseWithSchema } from '../schema-errors';
import { CERTIFICATE_ROLES, checkOrgId, checkRole, identityOfCertificate, type CertificateIdentity, type CertificateRole } from './certificate-identity';
import { CertificateAuthority, type IssueOptions } from './certificate-authority';
import { readCertificateRequest } from './certificate-request';
import { importSigningKey } from './key-pair';
import { moveAside, replaceFile, writeNewFile } from './pki-files';
import { checkSerial, signRevocationList } from './revocation-list';
import { x509 } from './x509-library';

const CA_CERT = 'ca.crt.pem';
const CA_KEY = 'ca.key.pem';
const CRL = 'crl.pem';
const INDEX = 'issued.json';
const CRL_DAYS = 7;

const recordSchema = z.strictObject({
  serial: z.string().regex(/^[0-9a-f]+$/, 'lower-case hex'),
  orgId: z.string(),
  role: z.enum(CERTIFICATE_ROLES as [CertificateRole, ...CertificateRole[]]),
  notAfter: z.iso.datetime(),
  issuedAt: z.iso.datetime(),
  certPath: z.string(),
  revokedAt: z.iso.datetime().optional(),
});
const indexSchema = z.strictObject({ version: z.literal(1), certificates: z.array(recordSchema) });
type IssuedRecord = z.output<typeof recordSchema>;
type IssuedIndex = z.output<typeof indexSchema>;

export interface IssuedEntry {
  serial: string;
  orgId: string;
  role: CertificateRole;
  notAfter: string;
  revokedAt: string | null;
}

export type RevocationSelector = { serial: string } | { orgId: string; role?: CertificateRole };

/** One operation per directory at a time, so concurrent issues in one process cannot lose each other's record. */
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(dir: string, action: () => Promise<T>): Promise<T> {
  const key = resolve(dir);
  const result = (queues.get(key) ?? Promise.resolve()).then(action, action);
  const settled = result.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return result;
}

function readAuthorityFile(dir: string, name: string): string {
  const path = join(dir, name);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (hasCode(err, 'ENOENT')) throw new ConfigError(`${path} does not exist; is ${dir} an authority directory (made by \`shoal pki init --dir ${dir}\`)?`, { path }, err);
    throw new ConfigError(`cannot read ${path}: ${errorMessage(err)}`, { path }, err);
  }
}

function readIndex(dir: string): IssuedIndex {
  const path = join(dir, INDEX);
  let input: unknown;
  try {
    input = JSON.parse(readAuthorityFile(dir, INDEX));
  } catch (err) {
    if (hasCode(err, 'CONFIG_INVALID')) throw err;
    throw new ConfigError(`${path} is not valid JSON: ${errorMessage(err)}`, { path }, err);
  }
  return parseWithSchema(indexSchema, input, path);
}

function writeIndex(dir: string, index: IssuedIndex): void {
  replaceFile(join(dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
}

function loadAuthority(dir: string): Promise<CertificateAuthority> {
  return CertificateAuthority.fromPem(readAuthorityFile(dir, CA_CERT), readAuthorityFile(dir, CA_KEY));
}

/** Creates the CA in `dir`; refuses if any authority file is already there, since a new CA would orphan every certificate the old one issued. */
export async function initAuthorityDir(dir: string, options: { name?: string; validDays?: number } = {}): Promise<{ caCertPath: string; crlPath: string }> {
  return serialized(dir, async () => {
    const paths = { cert: join(dir, CA_CERT), key: join(dir, CA_KEY), crl: join(dir, CRL), index: join(dir, INDEX) };
    const present = Object.values(paths).filter((path) => existsSync(path));
    if (present.length > 0) throw new ConfigError(`${present.join(', ')} already exist${present.length === 1 ? 's' : ''}; refusing to replace an existing authority`, { paths: present });

    const authority = await CertificateAuthority.create(options.name, options.validDays);
    // Only the owner may enter a directory that holds the CA key.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeNewFile(paths.key, authority.keyPem, 0o600);
    writeNewFile(paths.cert, authority.certPem, 0o644);
    writeIndex(dir, { version: 1, certificates: [] });
    // An empty list from day one, so every party can be configured with a CRL before anyone is revoked.
    replaceFile(paths.crl, await authority.revocationList([], CRL_DAYS));
    return { caCertPath: paths.cert, crlPath: paths.crl };
  });
}

/** The serial of the certificate about to be replaced, read from the file itself. */
function serialOfExisting(certPath: string, keyPath: string): string {
  if (!existsSync(certPath)) throw new ConfigError(`${keyPath} exists without ${certPath}; move it away before issuing again`, { path: keyPath });
  return serialOfCertificate(certPath);
}

function serialOfCertificate(certPath: string): string {
  try {
    return identityOfCertificate(readFileSync(certPath, 'utf8')).serial;
  } catch (err) {
    throw new ConfigError(`${certPath} exists but is not a Shoal certificate (${errorMessage(err)}); move it away before issuing again`, { path: certPath }, err);
  }
}

/**
 * Issues a certificate into `<outDir>/<orgId>.<role>.crt.pem` and `.key.pem`.
 * Issuing again for the same organisation and role rotates: the old pair is
 * renamed to `….old-<serial>` and stays valid until revoked, so the party can
 * switch over before the old certificate is withdrawn.
 */
export async function issueToDir(
  dir: string,
  options: IssueOptions & { outDir?: string },
): Promise<{ certPath: string; keyPath: string; identity: CertificateIdentity }> {
  return serialized(dir, async () => {
    const authority = await loadAuthority(dir);
    const index = readIndex(dir);
    const { outDir = dir, ...issueOptions } = options;
    const issued = await authority.issue(issueOptions);
    const { orgId, role, serial } = issued.identity;

    mkdirSync(outDir, { recursive: true });
    const certPath = join(outDir, `${orgId}.${role}.crt.pem`);
    const keyPath = join(outDir, `${orgId}.${role}.key.pem`);
    if (existsSync(certPath) || existsSync(keyPath)) {
      const oldSerial = serialOfExisting(certPath, keyPath);
      moveAside(certPath, `${certPath}.old-${oldSerial}`);
      if (existsSync(keyPath)) moveAside(keyPath, `${keyPath}.old-${oldSerial}`);
    }
    // Recorded before the files are written: a record without files can still be revoked; files without a record could not.
    index.certificates.push({ serial, orgId, role, notAfter: issued.notAfter, issuedAt: new Date().toISOString(), certPath });
    writeIndex(dir, index);
    writeNewFile(keyPath, issued.keyPem, 0o600);
    writeNewFile(certPath, issued.certPem, 0o644);
    return { certPath, keyPath, identity: issued.identity };
  });
}

/**
 * Certifies the key in a party's certificate signing request, after
 * checking the request is signed by that key and names exactly `orgId` and
 * `role`. Writes only `<outDir>/<orgId>.<role>.crt.pem`: the private key
 * stays wherever the party made it. Issuing again rotates the certificate as
 * issueToDir does (the old one kept as `….old-<serial>`).
 */
export async function issueFromRequestToDir(
  dir: string,
  options: IssueOptions & { csrPem: string; outDir?: string },
): Promise<{ certPath: string; identity: CertificateIdentity }> {
  return serialized(dir, async () => {
    const authority = await loadAuthority(dir);
    const index = readIndex(dir);
    const { outDir = dir, csrPem, ...issueOptions } = options;
    const publicKey = await readCertificateRequest(csrPem, { orgId: issueOptions.orgId, role: issueOptions.role });
    const issued = await authority.certify(issueOptions, publicKey);
    const { orgId, role, serial } = issued.identity;

    mkdirSync(outDir, { recursive: true });
    const certPath = join(outDir, `${orgId}.${role}.crt.pem`);
    if (existsSync(certPath)) moveAside(certPath, `${certPath}.old-${serialOfCertificate(certPath)}`);
    index.certificates.push({ serial, orgId, role, notAfter: issued.notAfter, issuedAt: new Date().toISOString(), certPath });
    writeIndex(dir, index);
    writeNewFile(certPath, issued.certPem, 0o644);
    return { certPath, identity: issued.identity };
  });
}

function selectRecords(index: IssuedIndex, selector: RevocationSelector, dir: string): IssuedRecord[] {
  if ('serial' in selector) {
    const serial = checkSerial(selector.serial);
    const record = index.certificates.find((candidate) => candidate.serial === serial);
    if (!record) throw new ConfigError(`no certificate with serial ${serial} was issued from ${dir}`, { serial });
    return [record];
  }
  const orgId = checkOrgId(selector.orgId);
  const role = selector.role === undefined ? undefined : checkRole(selector.role);
  const records = index.certificates.filter((candidate) => candidate.orgId === orgId && (role === undefined || candidate.role === role));
  if (records.length === 0) throw new ConfigError(`no certificate was issued to ${orgId}${role ? ` as ${role}` : ''} from ${dir}`, { orgId, role });
  return records;
}

/**
 * Marks the selected certificates revoked and re-signs crl.pem. The list is
 * re-signed even when nothing new is revoked, so running the command again
 * repairs a list a crash left stale. Returns the serials newly revoked.
 */
export async function revokeInDir(dir: string, selector: RevocationSelector): Promise<{ revoked: string[]; crlPath: string }> {
  return revokeAndResign(dir, selector);
}

/**
 * Re-signs crl.pem with nothing new revoked. The list is valid for a week, so
 * an authority with no revocations must still refresh it (e.g. from cron);
 * job servers refuse to start on an expired list.
 */
export async function refreshRevocationList(dir: string): Promise<{ crlPath: string }> {
  const { crlPath } = await revokeAndResign(dir, null);
  return { crlPath };
}

async function revokeAndResign(dir: string, selector: RevocationSelector | null): Promise<{ revoked: string[]; crlPath: string }> {
  return serialized(dir, async () => {
    // Loading the authority first checks the key belongs to the certificate; the list is then signed with revocation dates kept from issued.json.
    const authority = await loadAuthority(dir);
    const signingKey = await importSigningKey(authority.keyPem, `the CA key ${join(dir, CA_KEY)}`);
    const index = readIndex(dir);
    const now = new Date();
    const revoked: string[] = [];
    for (const record of selector ? selectRecords(index, selector, dir) : []) {
      if (record.revokedAt !== undefined) continue;
      record.revokedAt = now.toISOString();
      revoked.push(record.serial);
    }
    writeIndex(dir, index);

    const entries = index.certificates.filter((record) => record.revokedAt !== undefined).map((record) => ({ serial: record.serial, revokedAt: new Date(record.revokedAt as string) }));
    const crlPath = join(dir, CRL);
    replaceFile(crlPath, await signRevocationList({ issuer: new x509.X509Certificate(authority.certPem), signingKey, entries, validDays: CRL_DAYS, now }));
    return { revoked, crlPath };
  });
}

/** Every certificate issued from `dir`, oldest first. */
export function listIssued(dir: string): IssuedEntry[] {
  return readIndex(dir).certificates.map(({ serial, orgId, role, notAfter, revokedAt }) => ({ serial, orgId, role, notAfter, revokedAt: revokedAt ?? null }));
}
