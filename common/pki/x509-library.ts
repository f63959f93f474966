/**
 * The one place the X.509 library is loaded and pointed at Node's WebCrypto,
 * so every other file here gets a ready library however it is imported
 * (CLI, process main, jest) and no file has to remember the set-up.
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which throws at
// load time unless a Reflect metadata polyfill is already installed. The
// polyfill only adds functions to the global Reflect; it changes nothing else.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

export { x509, webcrypto };

/** A WebCrypto key as Node types it (the DOM `CryptoKey` is not in this project's libs). */
export type CryptoKey = webcrypto.CryptoKey;

/** ECDSA over P-256 with SHA-256 everywhere: what OpenSSL, grpc-js and every TLS stack accept. */
export const EC_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
