import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityFromSeed, verifySignature } from '../secagg';
import { thrownShoalError } from '../testing/thrown-shoal-error';
import { canonicalJson } from './canonical-json';
import { sha256Hex } from './sha256';
import { loadSigningKey, parsePublicKeyText, publicKeyText, writeNewSigningKey } from './signing-keys';
import { openSignedPayload, signPayload, type SignedPayload } from './signed-payload';

const orgA = identityFromSeed('org-a', new Uint8Array(32).fill(1));
const orgB = identityFromSeed('org-b', new Uint8Array(32).fill(2));
// The Ed25519 public key of the seed 0x01 × 32; pinned so a change in key encoding shows.
const KEY_A = 'ed25519:iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=';
const KEY_B = publicKeyText(orgB.publicKey);
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-signing-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Signs arbitrary text as a payload, bypassing canonicalJson, the way a careless or hostile sender could. */
function signRaw(payload: string, key = orgA): SignedPayload {
  return { payload, signature: Buffer.from(key.sign(Buffer.from(payload, 'utf8'))).toString('base64'), signer: publicKeyText(key.publicKey) };
}

describe('canonicalJson', () => {
  it('gives the same bytes whatever order the keys were written in, at every depth', () => {
    const written = { b: 1, a: { d: [3, 1], c: 'x' } };
    const reordered = { a: { c: 'x', d: [3, 1] }, b: 1 };

    const first = canonicalJson(written);
    const second = canonicalJson(reordered);

    expect(first).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(second).toBe(first);
  });

  it('keeps the order of arrays, sorts the keys of objects inside them and writes undefined items as null', () => {
    const value = [3, 1, 2, { z: true, y: null }, undefined, 'é'];

    const text = canonicalJson(value);

    expect(text).toBe('[3,1,2,{"y":null,"z":true},null,"é"]');
  });

  it('drops object fields that are undefined, nested ones too', () => {
    const value = { a: 1, b: undefined, c: { d: undefined, e: 'kept' } };

    const text = canonicalJson(value);

    expect(text).toBe('{"a":1,"c":{"e":"kept"}}');
  });

  it('escapes strings and keys as JSON does, with no whitespace', () => {
    const value = { 'quote"key': 'line\nbreak', n: -1.5e-7 };

    const text = canonicalJson(value);

    expect(text).toBe('{"n":-1.5e-7,"quote\\"key":"line\\nbreak"}');
    expect(JSON.parse(text)).toEqual(value);
  });

  it.each([
    ['NaN', NaN, 'canonical JSON has no form for the number NaN'],
    ['Infinity', Infinity, 'canonical JSON has no form for the number Infinity'],
    ['-Infinity nested in an object', { a: { b: -Infinity } }, 'canonical JSON has no form for the number -Infinity'],
    ['a function', { f: () => 1 }, 'canonical JSON has no form for a function'],
    ['a bigint', [10n], 'canonical JSON has no form for a bigint'],
    ['a symbol', Symbol('s'), 'canonical JSON has no form for a symbol'],
  ])('refuses %s with a message naming it', (_name, value, message) => {
    const act = (): string => canonicalJson(value);

    expect(act).toThrow(TypeError);
    expect(act).toThrow(message);
  });
});

describe('sha256Hex', () => {
  it('hashes text as UTF-8 and typed arrays by their own bytes only', () => {
    const backing = new Uint8Array([0xff, 0x61, 0x62, 0x63, 0xff]);

    const ofText = sha256Hex('abc');
    const ofView = sha256Hex(backing.subarray(1, 4));

    expect(ofText).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(ofView).toBe(ofText);
  });
});

describe('public key lines', () => {
  it('writes a key as "ed25519:<base64>" and reads the same 32 bytes back', () => {
    const text = publicKeyText(orgA.publicKey);

    const parsed = parsePublicKeyText(text);

    expect(text).toBe(KEY_A);
    expect(parsed).toEqual(orgA.publicKey);
    expect(parsed).toHaveLength(32);
  });

  const base64A = KEY_A.slice('ed25519:'.length);
  // 32 bytes leave two unused bits in the last base64 digit; setting one gives the same bytes in a second spelling.
  const lastDigit = base64A[42];
  const paddingBitsSet = `${base64A.slice(0, 42)}${BASE64_ALPHABET[BASE64_ALPHABET.indexOf(lastDigit) ^ 1]}=`;

  it('the non-canonical spellings used below really decode to the same key', () => {
    expect(Buffer.from(paddingBitsSet, 'base64')).toEqual(Buffer.from(orgA.publicKey));
    expect(Buffer.from(base64A.slice(0, 43), 'base64')).toEqual(Buffer.from(orgA.publicKey));
  });

  it.each([
    ['no prefix', base64A, `public key: expected "ed25519:<base64 of 32 bytes>"; found "${base64A.slice(0, 30)}"`],
    ['an upper-case prefix', `ED25519:${base64A}`, 'public key: expected "ed25519:<base64 of 32 bytes>"; found "ED25519:'],
    ['an empty string', '', 'public key: expected "ed25519:<base64 of 32 bytes>"; found ""'],
  ])('refuses a line with %s', (_name, text, message) => {
    const error = thrownShoalError(() => parsePublicKeyText(text), 'CONFIG_INVALID');

    expect(error.message.startsWith(message)).toBe(true);
  });

  it.each([
    ['31 bytes', `ed25519:${Buffer.alloc(31, 7).toString('base64')}`],
    ['33 bytes', `ed25519:${Buffer.alloc(33, 7).toString('base64')}`],
    ['nothing after the prefix', 'ed25519:'],
    ['unused bits set in the last digit (non-canonical)', `ed25519:${paddingBitsSet}`],
    ['the padding left off (non-canonical)', `ed25519:${base64A.slice(0, 43)}`],
    ['a trailing newline (non-canonical)', `${KEY_A}\n`],
  ])('refuses a key line with %s', (_name, text) => {
    const error = thrownShoalError(() => parsePublicKeyText(text, 'pinned key'), 'CONFIG_INVALID');

    expect(error.message).toBe('pinned key: the base64 after "ed25519:" must encode exactly 32 bytes');
  });

  it('names what was being read in a refusal of a missing prefix', () => {
    const error = thrownShoalError(() => parsePublicKeyText('rsa:abc', 'policy.trustedRequesters[0]'), 'CONFIG_INVALID');

    expect(error.message).toBe('policy.trustedRequesters[0]: expected "ed25519:<base64 of 32 bytes>"; found "rsa:abc"');
  });
});

describe('signing key files', () => {
  it('writes a private key readable only by its owner and a public key line', () => {
    const base = join(dir, 'regulator');

    const written = writeNewSigningKey(base, 'regulator');

    expect(written.privateKeyPath).toBe(`${base}.key.pem`);
    expect(written.publicKeyPath).toBe(`${base}.pub`);
    expect(statSync(written.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(written.privateKeyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    expect(readFileSync(written.publicKeyPath, 'utf8')).toBe(`${written.publicKey}\n`);
    expect(parsePublicKeyText(written.publicKey)).toHaveLength(32);
  });

  it('loads the written key back, and what it signs verifies under the written public key', () => {
    const written = writeNewSigningKey(join(dir, 'bank-1'), 'bank-1');
    const message = Buffer.from('offer credit-default-mlp', 'utf8');

    const key = loadSigningKey(written.privateKeyPath, 'bank-1');
    const signature = key.sign(message);
    const opened = openSignedPayload<{ round: number }>(signPayload({ round: 3 }, key), [written.publicKey]);

    expect(key.orgId).toBe('bank-1');
    expect(publicKeyText(key.publicKey)).toBe(written.publicKey);
    expect(verifySignature(parsePublicKeyText(written.publicKey), message, signature)).toBe(true);
    expect(verifySignature(orgA.publicKey, message, signature)).toBe(false);
    expect(opened).toEqual({ value: { round: 3 }, signer: written.publicKey });
  });

  it('refuses to overwrite a pair it wrote before and leaves both files as they were', () => {
    const base = join(dir, 'twice');
    const first = writeNewSigningKey(base, 'twice');
    const pem = readFileSync(first.privateKeyPath, 'utf8');

    const error = thrownShoalError(() => writeNewSigningKey(base, 'twice'), 'CONFIG_INVALID');

    expect(error.message).toBe(`${base}.key.pem already exists; refusing to overwrite a key`);
    expect(readFileSync(first.privateKeyPath, 'utf8')).toBe(pem);
    expect(readFileSync(first.publicKeyPath, 'utf8')).toBe(`${first.publicKey}\n`);
  });

  it('refuses when only the private key file exists, writing no public key', () => {
    const base = join(dir, 'private-only');
    writeFileSync(`${base}.key.pem`, 'keep me');

    const error = thrownShoalError(() => writeNewSigningKey(base, 'private-only'), 'CONFIG_INVALID');

    expect(error.message).toBe(`${base}.key.pem already exists; refusing to overwrite a key`);
    expect(readFileSync(`${base}.key.pem`, 'utf8')).toBe('keep me');
    expect(existsSync(`${base}.pub`)).toBe(false);
  });

  it('refuses when only the public key file exists, writing no private key', () => {
    const base = join(dir, 'public-only');
    writeFileSync(`${base}.pub`, `${KEY_A}\n`);

    const error = thrownShoalError(() => writeNewSigningKey(base, 'public-only'), 'CONFIG_INVALID');

    expect(error.message).toBe(`${base}.pub already exists; refusing to overwrite a key`);
    expect(readFileSync(`${base}.pub`, 'utf8')).toBe(`${KEY_A}\n`);
    expect(existsSync(`${base}.key.pem`)).toBe(false);
  });

  it('names the path of a key file that is not there', () => {
    const path = join(dir, 'nobody.key.pem');

    const error = thrownShoalError(() => loadSigningKey(path, 'nobody'), 'CONFIG_INVALID');

    // (Under jest, fs errors come from another realm, so the cause may read "Error: ENOENT…" rather than "ENOENT…".)
    expect(error.message.startsWith(`cannot read the signing key ${path}: `)).toBe(true);
    expect(error.message).toContain(`ENOENT: no such file or directory, open '${path}'`);
    expect(error.details).toEqual({ path });
  });

  it('refuses a key file that holds no private key', () => {
    const path = join(dir, 'garbage.key.pem');
    writeFileSync(path, 'not a key\n');

    const error = thrownShoalError(() => loadSigningKey(path, 'garbage'), 'CONFIG_INVALID');

    expect(error.message).toBe(`the signing key ${path} is not an Ed25519 private key PEM`);
  });
});

describe('signed payloads', () => {
  it('signs the canonical JSON of a value and opens it back to the same value and signer', () => {
    const value = { round: 2, weights: [0.5, -1], org: 'org-a' };

    const signed = signPayload(value, orgA);
    const opened = openSignedPayload<typeof value>(signed);

    expect(signed.payload).toBe('{"org":"org-a","round":2,"weights":[0.5,-1]}');
    expect(signed.signer).toBe(KEY_A);
    expect(Buffer.from(signed.signature, 'base64')).toHaveLength(64);
    expect(signPayload({ weights: [0.5, -1], org: 'org-a', round: 2 }, orgA)).toEqual(signed);
    expect(opened).toEqual({ value, signer: KEY_A });
  });

  it('opens a payload whose signer is on the trusted list', () => {
    const signed = signPayload({ ok: true }, orgB);

    const opened = openSignedPayload(signed, [KEY_A, KEY_B]);

    expect(opened).toEqual({ value: { ok: true }, signer: KEY_B });
  });

  it('refuses a payload altered by one character', () => {
    const signed = signPayload({ accepted: true, round: 2 }, orgA);
    const altered = { ...signed, payload: signed.payload.replace('"round":2', '"round":3') };
    expect(altered.payload).not.toBe(signed.payload);

    const error = thrownShoalError(() => openSignedPayload(altered), 'SIGNATURE_INVALID');

    expect(error.message).toBe('the signature does not match the payload: it was altered or signed by another key');
  });

  it('refuses a payload whose signer was swapped for another key', () => {
    const signed = signPayload({ accepted: true }, orgA);

    const error = thrownShoalError(() => openSignedPayload({ ...signed, signer: KEY_B }), 'SIGNATURE_INVALID');

    expect(error.message).toBe('the signature does not match the payload: it was altered or signed by another key');
  });

  it('refuses a signature taken from another payload', () => {
    const signed = signPayload({ accepted: true }, orgA);
    const other = signPayload({ accepted: false }, orgA);

    const error = thrownShoalError(() => openSignedPayload({ ...signed, signature: other.signature }), 'SIGNATURE_INVALID');

    expect(error.message).toBe('the signature does not match the payload: it was altered or signed by another key');
  });

  it('refuses a signer that is not a key line, naming the field', () => {
    const signed = signPayload({ accepted: true }, orgA);

    const error = thrownShoalError(() => openSignedPayload({ ...signed, signer: 'org-a' }), 'SIGNATURE_INVALID');

    expect(error.message).toBe('signer: expected "ed25519:<base64 of 32 bytes>"; found "org-a"');
  });

  it.each([
    ['a list without the signer', [KEY_B]],
    ['an empty list', []],
  ])('refuses a validly signed payload when the trusted keys are %s', (_name, trusted) => {
    const signed = signPayload({ accepted: true }, orgA);

    const error = thrownShoalError(() => openSignedPayload(signed, trusted), 'SIGNER_NOT_TRUSTED');

    expect(error.message).toBe(`the signer ${KEY_A} is not a pinned key`);
  });

  const complete = signPayload({ accepted: true }, orgA);
  it.each([
    ['null', null],
    ['a string', complete.payload],
    ['no signer', { payload: complete.payload, signature: complete.signature }],
    ['no signature', { payload: complete.payload, signer: complete.signer }],
    ['no payload', { signature: complete.signature, signer: complete.signer }],
    ['the payload as an object', { payload: { accepted: true }, signature: complete.signature, signer: complete.signer }],
  ])('calls a message with %s unsigned', (_name, message) => {
    const error = thrownShoalError(() => openSignedPayload(message), 'UNSIGNED');

    expect(error.message).toBe('the message is not signed (expected payload, signature and signer)');
  });

  it('refuses a validly signed payload that is not JSON', () => {
    const signed = signRaw('{"accepted": tru');

    const error = thrownShoalError(() => openSignedPayload(signed, [KEY_A]), 'PAYLOAD_MALFORMED');

    expect(error.message).toBe('the signed payload is not JSON');
    expect(error.component).toBe('common');
  });
});
