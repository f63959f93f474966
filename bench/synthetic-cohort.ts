/**
 * The benchmark's made-up cohort: org ids, who drops, each participant's
 * float32 update and example count, and seeded randomness. Everything
 * follows from the seed, so two runs with the same flags do the same work.
 * Seeded secrets are for benchmarks only; real participants use
 * crypto.randomBytes.
 */
import { createCipheriv, createHash } from 'node:crypto';
import type { ContributionEncoding } from '../common/secagg';

/** Updates are uniform in [−UPDATE_RANGE, UPDATE_RANGE): small, like one round's weight deltas. */
const UPDATE_RANGE = 0.1;
/** A participant trains on 100 to 1000 examples; its weight fraction is examples / 1000. */
const MIN_EXAMPLES = 100;
const MAX_EXAMPLES = 1000;
/** Wide enough that no weighted update element is clipped. */
const CLIPPING_RANGE = 1;

export type QuantizedEncoding = Extract<ContributionEncoding, { kind: 'quantized' }>;

export interface SyntheticUpdate {
  vector: Float32Array;
  /** Examples it trained on: the plain weight, and examples / MAX_EXAMPLES the quantised one. */
  examples: number;
}

function digest(label: string): Buffer {
  return createHash('sha256').update(`shoal/bench/${label}`).digest();
}

/**
 * A fast seeded uniform [0, 1) source: the small-fast-counter generator
 * (sfc32), four 32-bit words of state. Quantisation draws one number per
 * element, so its cost is part of the participant's time; V8's Math.random,
 * which the agent uses, costs about the same.
 */
export function seededUniform(label: string): () => number {
  const key = digest(`uniform/${label}`);
  let a = key.readUInt32LE(0);
  let b = key.readUInt32LE(4);
  let c = key.readUInt32LE(8);
  let counter = key.readUInt32LE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + counter) | 0;
    counter = (counter + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs still show the seed's structure.
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** A seeded byte stream (AES-256-CTR keystream) standing in for crypto.randomBytes. */
export function seededBytes(label: string): (size: number) => Buffer {
  const cipher = createCipheriv('aes-256-ctr', digest(`bytes/${label}`), Buffer.alloc(16));
  return (size) => cipher.update(Buffer.alloc(size));
}

/** A 32-byte seed for identityFromSeed. */
export function identitySeed(seed: number, org: string): Buffer {
  return digest(`identity/${seed}/${org}`);
}

/** org-000 … org-(n−1), which sort in index order. */
export function orgIds(n: number): string[] {
  const width = Math.max(3, String(n - 1).length);
  return Array.from({ length: n }, (_, i) => `org-${String(i).padStart(width, '0')}`);
}

/** The `count` participants that drop: a seeded choice, the same in every mode. */
export function chooseDropouts(orgs: readonly string[], count: number, seed: number): Set<string> {
  const order = [...orgs];
  const random = seededUniform(`dropouts/${seed}`);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return new Set(order.slice(0, count));
}

/** One participant's update and example count; made fresh when needed, so only one lives at a time. */
export function syntheticUpdate(seed: number, org: string, d: number): SyntheticUpdate {
  const random = seededUniform(`update/${seed}/${org}`);
  const vector = new Float32Array(d);
  for (let i = 0; i < d; i++) vector[i] = (2 * random() - 1) * UPDATE_RANGE;
  const examples = MIN_EXAMPLES + Math.floor(random() * (MAX_EXAMPLES - MIN_EXAMPLES + 1));
  return { vector, examples };
}

/** How a model update is encoded for secure aggregation in a cohort of n, as the agent encodes it. */
export function updateEncoding(n: number): QuantizedEncoding {
  return { kind: 'quantized', clippingRange: CLIPPING_RANGE, maxWeight: MAX_EXAMPLES, cohortSize: n };
}
