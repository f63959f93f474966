/**
 * What goes into each kind of certificate: names, serial and extensions.
 * Kept apart from the signing so the profile can be read (and reviewed)
 * in one place.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigError } from '../errors';
import { identityUrn, type CertificateRole } from './certificate-identity';
import { x509, type CryptoKey } from './x509-library';

/** Roles that accept connections (a job's gRPC servers, the NATS server); the others only dial out. */
const SERVER_ROLES: readonly CertificateRole[] = ['coordinator', 'aggregator', 'broker'];
const DNS_NAME = /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function isServerRole(role: CertificateRole): boolean {
  return SERVER_ROLES.includes(role);
}

/**
 * 16 random bytes with the top bit clear and the first byte non-zero: DER
 * then needs no padding byte and drops none, so the hex the library prints,
 * the hex OpenSSL prints and the hex recorded here are the same string.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  if (bytes[0] === 0) bytes[0] = 0x01;
  return bytes.toString('hex');
}

export function caSubject(name: string): x509.JsonName {
  return [{ CN: [name] }, { O: ['Shoal'] }];
}

export function leafSubject(orgId: string, role: CertificateRole): x509.JsonName {
  return [{ CN: [orgId] }, { OU: [role] }, { O: ['Shoal'] }];
}

export function checkDnsNames(names: readonly string[]): string[] {
  for (const name of names) {
    if (typeof name !== 'string' || name.length > 253 || !DNS_NAME.test(name)) throw new ConfigError(`${JSON.stringify(name)} is not a DNS name`, { field: 'dnsNames', found: name });
  }
  return [...names];
}

export function checkIpAddresses(addresses: readonly string[]): string[] {
  for (const address of addresses) {
    if (typeof address !== 'string' || isIP(address) === 0) throw new ConfigError(`${JSON.stringify(address)} is not an IPv4 or IPv6 address`, { field: 'ipAddresses', found: address });
  }
  return [...addresses];
}

/** A CA that signs leaf certificates and CRLs and nothing else: no intermediates below it (pathLen 0). */
export async function caExtensions(publicKey: CryptoKey): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

export interface LeafProfile {
  orgId: string;
  role: CertificateRole;
  dnsNames: string[];
  ipAddresses: string[];
  publicKey: CryptoKey;
  /** The CA's subject key id, so verifiers can find the issuer by key as well as by name. */
  issuerKeyId: string | undefined;
}

/**
 * An end-entity certificate. ECDSA keys only sign during a TLS handshake, so
 * digitalSignature is the whole key usage; servers also dial each other, so
 * they get clientAuth as well as serverAuth.
 */
export async function leafExtensions(profile: LeafProfile): Promise<x509.Extension[]> {
  const usages = isServerRole(profile.role) ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth] : [x509.ExtendedKeyUsage.clientAuth];
  const names: x509.JsonGeneralNames = [
    { type: 'url', value: identityUrn(profile.role, profile.orgId) },
    ...profile.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...profile.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    new x509.SubjectAlternativeNameExtension(names, false),
    await x509.SubjectKeyIdentifierExtension.create(profile.publicKey),
  ];
  if (profile.issuerKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(profile.issuerKeyId));
  return extensions;
}
