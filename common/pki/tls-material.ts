/**
 * Everything one party needs to speak mutual TLS: the federation's CA, its
 * own certificate and key, the revocation list and who the certificate says
 * it is. Loading checks what would otherwise surface as an opaque handshake
 * failure at the far end (wrong CA, key not matching, expired), and names
 * the file at fault.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage, hasCode } from '../errors';
import { identityOfCertificate, type CertificateIdentity } from './certificate-identity';
import type { CertificateAuthority, IssuedCertificate } from './certificate-authority';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
  crl?: string;
}

export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  /** Never log it. */
  key: Buffer;
  /** Unverified here; `readRevocationList` checks it against the CA. */
  crlPem: string | null;
  identity: CertificateIdentity;
}

const WHAT: Record<keyof TlsFiles, string> = {
  ca: 'CA certificate',
  cert: 'certificate',
  key: 'private key',
  crl: 'revocation list',
};

function readTlsFile(kind: keyof TlsFiles, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const why = hasCode(err, 'ENOENT') ? 'does not exist' : `cannot be read (${errorMessage(err)})`;
    throw new ConfigError(`the ${WHAT[kind]} file ${path} ${why}`, { field: kind, path }, err);
  }
}

function parseCertificate(pem: Buffer, where: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new ConfigError(`${where} does not hold a readable X.509 certificate: ${errorMessage(err)}`, {}, err);
  }
}

function parseKey(pem: Buffer, where: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    // The key's bytes stay out of the message: only that it could not be read.
    throw new ConfigError(`${where} does not hold a readable private key PEM`, {}, err);
  }
}

interface Sources {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  /** How to name each in an error: a file path, or a description. */
  names: { ca: string; cert: string; key: string };
}

/** The checks a peer would make anyway, done here so the error names our own file. */
function checkParty(sources: Sources, now: Date): CertificateIdentity {
  const ca = parseCertificate(sources.ca, sources.names.ca);
  const cert = parseCertificate(sources.cert, sources.names.cert);
  const key = parseKey(sources.key, sources.names.key);

  if (!ca.ca) throw new ConfigError(`${sources.names.ca} holds "${ca.subject.replace(/\n/g, ', ')}", which is not a CA certificate`);
  // Node checks issuer name and key ids, then the signature itself: both synchronous.
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw new ConfigError(
      `${sources.names.cert} was not issued by the CA in ${sources.names.ca} (its issuer is "${cert.issuer.replace(/\n/g, ', ')}"; the CA is "${ca.subject.replace(/\n/g, ', ')}")`,
    );
  }
  if (!cert.checkPrivateKey(key)) throw new ConfigError(`${sources.names.key} is not the private key of ${sources.names.cert}`);
  for (const [certificate, where] of [[ca, sources.names.ca], [cert, sources.names.cert]] as const) {
    if (new Date(certificate.validTo).getTime() < now.getTime()) throw new ConfigError(`${where} expired on ${new Date(certificate.validTo).toISOString()}`);
  }

  try {
    return identityOfCertificate(sources.cert.toString('utf8'));
  } catch (err) {
    throw new ConfigError(`${sources.names.cert}: ${errorMessage(err)}`, {}, err);
  }
}

function checkCrlPem(crlPem: string, where: string): string {
  // Only its shape: whether the CA signed it and it is current is readRevocationList's (asynchronous) job.
  if (!crlPem.includes('-----BEGIN X509 CRL-----')) throw new ConfigError(`${where} is not a PEM revocation list ("-----BEGIN X509 CRL-----")`);
  return crlPem;
}

/** TLS material from files; a ConfigError naming the file that is missing, unreadable or inconsistent. */
export function loadTlsMaterial(files: TlsFiles): TlsMaterial {
  const ca = readTlsFile('ca', files.ca);
  const cert = readTlsFile('cert', files.cert);
  const key = readTlsFile('key', files.key);
  const crlPem = files.crl === undefined ? null : checkCrlPem(readTlsFile('crl', files.crl).toString('utf8'), `the revocation list file ${files.crl}`);
  const identity = checkParty(
    { ca, cert, key, names: { ca: `the CA certificate file ${files.ca}`, cert: `the certificate file ${files.cert}`, key: `the private key file ${files.key}` } },
    new Date(),
  );
  return { ca, cert, key, crlPem, identity };
}

/** TLS material straight from an in-memory CA and a certificate it issued (simulation, tests, the launcher). */
export function tlsMaterialFrom(ca: CertificateAuthority | string, issued: IssuedCertificate, crlPem: string | null = null): TlsMaterial {
  const material = {
    ca: Buffer.from(typeof ca === 'string' ? ca : ca.certPem),
    cert: Buffer.from(issued.certPem),
    key: Buffer.from(issued.keyPem),
  };
  const identity = checkParty({ ...material, names: { ca: 'the CA certificate', cert: `the certificate of ${issued.identity.role} ${issued.identity.orgId}`, key: 'its private key' } }, new Date());
  return { ...material, crlPem: crlPem === null ? null : checkCrlPem(crlPem, 'the revocation list'), identity };
}
