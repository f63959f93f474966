/**
 * Hostile NATS payloads for the subjects Shoal processes consume: random
 * bytes, bytes that are not UTF-8, truncated JSON, JSON of the wrong shape,
 * deeply nested and large documents. `notJson` payloads are never valid
 * JSON (they start with a byte no JSON text starts with), for subjects where
 * any well-formed request would be acted on (a regulator's cancel).
 */
import type { Rng } from '../../common/random';

export interface NatsPayload {
  kind: string;
  bytes: Uint8Array;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function randomBytes(rng: Rng, max: number): Uint8Array {
  return Uint8Array.from({ length: 1 + Math.floor(rng() * max) }, () => Math.floor(rng() * 256));
}

/** Never valid JSON: a leading 0xff is not UTF-8, and the rest is cut mid-document. */
export function notJson(rng: Rng, sample: unknown): NatsPayload {
  const which = Math.floor(rng() * 3);
  const json = JSON.stringify(sample);
  const body =
    which === 0 ? randomBytes(rng, 512) : which === 1 ? text(json.slice(0, Math.max(1, Math.floor(rng() * json.length)))) : text(`${'{"a":'.repeat(50)}`);
  const bytes = new Uint8Array(body.length + 1);
  bytes[0] = 0xff;
  bytes.set(body, 1);
  return { kind: ['random-bytes', 'truncated-json', 'unclosed-json'][which], bytes };
}

/** Any hostile payload, valid JSON or not; `sample` is a plausible message to damage. */
export function hostilePayload(rng: Rng, sample: Record<string, unknown>): NatsPayload {
  const which = Math.floor(rng() * 8);
  switch (which) {
    case 0:
      return { kind: 'random-bytes', bytes: randomBytes(rng, 1024) };
    case 1: {
      const json = JSON.stringify(sample);
      return { kind: 'truncated-json', bytes: text(json.slice(0, Math.floor(rng() * json.length))) };
    }
    case 2:
      return { kind: 'wrong-top-level', bytes: text(['null', '42', '"text"', '[]', 'true', '{}'][Math.floor(rng() * 6)]) };
    case 3: {
      const keys = Object.keys(sample);
      const copy: Record<string, unknown> = { ...sample };
      const key = keys[Math.floor(rng() * keys.length)] ?? 'x';
      copy[key] = [12345, null, 'text', [], { nested: true }, -1e308, 'x'.repeat(10_000)][Math.floor(rng() * 7)];
      return { kind: 'wrong-type', bytes: text(JSON.stringify(copy)) };
    }
    case 4:
      return { kind: 'deep-nesting', bytes: text(`${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`) };
    case 5:
      return { kind: 'large', bytes: text(JSON.stringify({ ...sample, padding: 'p'.repeat(256 * 1024) })) };
    case 6:
      return { kind: 'not-utf8', bytes: Uint8Array.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]) };
    default:
      return { kind: 'prototype-keys', bytes: text('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"body":{"__proto__":null}}') };
  }
}
