/** Canonical JSON, Ed25519 signing keys and signed payloads: the whole public surface. */
export { canonicalJson } from './canonical-json';
export { sha256Hex } from './sha256';
export { loadSigningKey, parsePublicKeyText, publicKeyText, writeNewSigningKey } from './signing-keys';
export { openSignedPayload, signPayload, SignatureError, type SignatureProblem, type SignedPayload } from './signed-payload';
