/**
 * Enrolment by certificate signing request (PKCS#10): a party makes its key
 * pair on its own machine and hands the CA only a request, signed with that
 * key, naming who it is. The CA checks the request's self-signature (the
 * requester holds the private key) and that it names exactly the
 * organisation and role the operator asked for, then certifies the public
 * key. Nobody but the party, the CA operator included, ever holds its
 * private key, which is what makes its signature (its TLS identity and the
 * binding of its Ed25519 identity key) its own.
 */
import { ConfigError, errorMessage } from '../errors';
import { checkOrgId, checkRole, type CertificateRole } from './certificate-identity';
import { leafSubject } from './certificate-profile';
import { generateKeyPair, privateKeyPem } from './key-pair';
import { EC_KEY_ALGORITHM, SIGNING_ALGORITHM, x509, type CryptoKey } from './x509-library';

/** What a party keeps (the key) and what it sends to the CA (the request). */
export interface CertificateRequest {
  csrPem: string;
  /** PKCS#8 PEM. Write it with mode 0600 on the party's own machine; never log it, never send it. */
  keyPem: string;
}

/** A fresh P-256 key and a request for "role R of organisation O", signed with it. */
export async function createCertificateRequest(options: { orgId: string; role: CertificateRole }): Promise<CertificateRequest> {
  const orgId = checkOrgId(options.orgId);
  const role = checkRole(options.role);
  const keys = await generateKeyPair();
  const request = await x509.Pkcs10CertificateRequestGenerator.create({ name: leafSubject(orgId, role), keys, signingAlgorithm: SIGNING_ALGORITHM });
  return { csrPem: request.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
}

function refused(reason: string, message: string, cause?: unknown): ConfigError {
  return new ConfigError(`certificate signing request refused: ${message}`, { field: 'csr', reason }, cause);
}

/** The subject's attributes as "TYPE=value" strings, sorted, so that attribute order does not matter but every attribute counts. */
function subjectAttributes(name: x509.JsonName): string[] {
  const attributes: string[] = [];
  for (const rdn of name) for (const [type, values] of Object.entries(rdn)) for (const value of values) attributes.push(`${type}=${value}`);
  return attributes.sort();
}

/**
 * The public key of a request that is signed by its own key and names
 * exactly `expected` (CN=<orgId>, OU=<role>, O=Shoal and nothing else).
 * Anything else the request carries (requested extensions, attributes) is
 * ignored: the CA's profile decides what goes into the certificate.
 */
export async function readCertificateRequest(csrPem: string, expected: { orgId: string; role: CertificateRole }): Promise<CryptoKey> {
  const orgId = checkOrgId(expected.orgId);
  const role = checkRole(expected.role);
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw refused('unparseable', `it is not a PEM PKCS#10 request ("-----BEGIN CERTIFICATE REQUEST-----"): ${errorMessage(err)}`, err);
  }

  let signed: boolean;
  try {
    signed = await request.verify();
  } catch (err) {
    throw refused('bad-signature', `its signature cannot be checked (${errorMessage(err)})`, err);
  }
  // Without this, anyone could ask for a certificate on a key they do not hold, e.g. another party's public key.
  if (!signed) throw refused('bad-signature', 'its signature does not verify with the key it asks to certify; it was altered or not signed by that key');

  const found = subjectAttributes(request.subjectName.toJSON());
  const wanted = subjectAttributes(leafSubject(orgId, role));
  if (found.join('\n') !== wanted.join('\n')) {
    throw refused('subject-mismatch', `it asks for "${request.subject}", but the certificate to issue is ${role} ${orgId} ("${new x509.Name(leafSubject(orgId, role)).toString()}")`);
  }

  let publicKey: CryptoKey;
  try {
    publicKey = await request.publicKey.export();
  } catch (err) {
    throw refused('unsupported-key', `its key cannot be read (${errorMessage(err)}); expected ECDSA P-256`, err);
  }
  const algorithm = publicKey.algorithm as { name: string; namedCurve?: string };
  // Every party's certificate carries a P-256 key: what every TLS stack here accepts and what identity proofs are verified with.
  if (algorithm.name !== EC_KEY_ALGORITHM.name || algorithm.namedCurve !== EC_KEY_ALGORITHM.namedCurve) {
    throw refused('unsupported-key', `its key is ${algorithm.name}${algorithm.namedCurve ? ` ${algorithm.namedCurve}` : ''}; expected ECDSA P-256`);
  }
  return publicKey;
}
