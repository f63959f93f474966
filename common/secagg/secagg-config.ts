/**
 * The fixed settings of one secure-aggregation collection, its digest (bound
 * into every signature, HKDF salt and associated data) and the neighbour
 * graph of SecAgg+ (Bell et al. 2020).
 *
 * The graph is a Harary-style ring over the participants in an order that
 * only the config digest decides, so every party recomputes the same graph
 * and the server cannot choose anyone's neighbours.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { ConfigError } from '../errors';
import type { SecAggConfig } from './types';

export interface SecAggConfigInput {
  jobId: string;
  collectionId: string;
  participants: string[];
  /** Length of the masked vector (encoded input, weight element included). */
  elementCount: number;
  /** Defaults to defaultThreshold(degree + 1); jobs pass the derived one (collectionGraph). */
  threshold?: number;
  /** Defaults to defaultDegree(participants.length). Odd values, or values >= n - 1, give the complete graph. */
  degree?: number;
}

/** Largest vector one collection masks: 2^28 elements (1 GiB of uint32), matching the vector codec's limit. */
export const MAX_ELEMENT_COUNT = 2 ** 28;

/**
 * Neighbours per participant when a caller of compileSecAggConfig names none:
 * the complete graph up to 20 participants, 4·ceil(log2 n) beyond. Jobs never
 * use this: collectionGraph derives degree and threshold from the job's stated
 * adversary (adversary-parameters.ts), and so should any caller that cares
 * about privacy. This default and defaultThreshold remain for direct callers
 * (unit tests, benchmarks) and bound no collusion: against colluders what
 * matters is c ≥ 2t − m in a neighbourhood, not c ≥ t, and colluders bridging
 * a split ring (exposure.ts), neither of which these defaults look at.
 */
export function defaultDegree(participantCount: number): number {
  if (participantCount <= 20) return Math.max(1, participantCount - 1);
  return Math.min(participantCount - 1, 4 * Math.ceil(Math.log2(participantCount)));
}

/** Shares needed out of a neighbourhood of m (the participant included) when a direct caller names none: floor(2m/3) + 1, a margin for dropouts, nothing more (see defaultDegree). */
export function defaultThreshold(neighbourhoodSize: number): number {
  return Math.min(neighbourhoodSize, Math.floor((2 * neighbourhoodSize) / 3) + 1);
}

/**
 * The lowest threshold accepted for a neighbourhood of m = degree + 1.
 *
 * Always a strict majority, floor(m/2) + 1. With less, a server could show
 * two disjoint halves of a neighbourhood different survivor sets, each half
 * would hold a threshold of honest signatures, and one half would reveal a
 * participant's self-mask seed while the other revealed its masking key.
 *
 * On the sparse ring (even degree k < n - 1) one more, k/2 + 2. The ring
 * splits only when runs of k/2 consecutive members drop in two places, and a
 * survivor beside such a run keeps just k/2 + 1 of its neighbourhood; with
 * t >= k/2 + 2 that survivor falls below the threshold, so no split survivor
 * set can be unmasked and the server cannot learn a part of the sum. That
 * holds without colluders only: colluders inside such a run are counted as
 * survivors, and exposure.ts bounds how likely they are to bridge it.
 * Pass `sparse` false for the complete graph.
 */
export function minimumThreshold(neighbourhoodSize: number, sparse = false): number {
  const majority = Math.floor(neighbourhoodSize / 2) + 1;
  return sparse ? Math.max(majority, (neighbourhoodSize - 1) / 2 + 2) : majority;
}

function invalid(field: string, expected: string, found: unknown, message: string): ConfigError {
  return new ConfigError(`secure aggregation config: ${message}`, { field, expected, found });
}

function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'a non-empty string', value, `${field} must be a non-empty string`);
  return value;
}

/** Validates the input, sorts the participants and fills the defaults. The result is frozen. */
export function compileSecAggConfig(input: SecAggConfigInput): SecAggConfig {
  const jobId = checkId('jobId', input.jobId);
  const collectionId = checkId('collectionId', input.collectionId);
  if (!Array.isArray(input.participants)) throw invalid('participants', 'an array of org ids', input.participants, 'participants must be an array');
  input.participants.forEach((org, i) => checkId(`participants[${i}]`, org));
  const participants = [...input.participants].sort();
  for (let i = 1; i < participants.length; i++) {
    if (participants[i] === participants[i - 1]) {
      throw invalid('participants', 'each org once', participants[i], `participant ${participants[i]} is listed twice`);
    }
  }
  const n = participants.length;
  if (n < 2) throw invalid('participants', 'at least 2 orgs', n, `secure aggregation needs at least 2 participants, got ${n}`);
  const elementCount = input.elementCount;
  if (!Number.isSafeInteger(elementCount) || elementCount < 1 || elementCount > MAX_ELEMENT_COUNT) {
    throw invalid('elementCount', `a whole number in [1, ${MAX_ELEMENT_COUNT}]`, elementCount, `elementCount must be a whole number in [1, ${MAX_ELEMENT_COUNT}], got ${elementCount}`);
  }
  let degree = input.degree ?? defaultDegree(n);
  if (!Number.isSafeInteger(degree) || degree < 1) {
    throw invalid('degree', 'a whole number >= 1', input.degree, `degree must be a whole number >= 1, got ${input.degree}`);
  }
  // The ring needs degree/2 neighbours on each side; anything else is the complete graph.
  if (degree >= n - 1 || degree % 2 === 1) degree = n - 1;
  const size = degree + 1;
  const threshold = input.threshold ?? defaultThreshold(size);
  if (!Number.isSafeInteger(threshold)) {
    throw invalid('threshold', 'a whole number', threshold, `threshold must be a whole number, got ${threshold}`);
  }
  if (threshold > size) {
    throw invalid('threshold', `at most ${size}`, threshold, `threshold ${threshold} exceeds the neighbourhood size ${size} (degree ${degree} + the participant itself)`);
  }
  const majority = minimumThreshold(size);
  if (threshold < majority) {
    throw invalid('threshold', `at least ${majority}`, threshold, `threshold ${threshold} is not a strict majority of the neighbourhood size ${size}; at least ${majority} is needed so a server cannot obtain both secrets of one participant`);
  }
  const sparse = degree < n - 1;
  const ringMinimum = minimumThreshold(size, sparse);
  if (threshold < ringMinimum) {
    throw invalid('threshold', `at least ${ringMinimum}`, threshold, `threshold ${threshold} is below ${ringMinimum} (degree ${degree} / 2 + 2) on the sparse neighbour ring; with fewer, a survivor set from which runs of ${degree / 2} consecutive participants dropped could split the ring, and the server would learn the sum of each part`);
  }
  return Object.freeze({ jobId, collectionId, participants: Object.freeze(participants) as string[], threshold, degree, elementCount });
}

/** Canonical JSON: fixed key order, sorted participants. */
function canonicalJson(config: SecAggConfig): string {
  return JSON.stringify({
    collectionId: config.collectionId,
    degree: config.degree,
    elementCount: config.elementCount,
    jobId: config.jobId,
    participants: [...config.participants].sort(),
    threshold: config.threshold,
  });
}

/** SHA-256 of the config's canonical JSON. Binds job, collection and cohort into every signature and key. */
export function configDigest(config: SecAggConfig): Buffer {
  return createHash('sha256').update(canonicalJson(config), 'utf8').digest();
}

/** Everything derived from the config that the state machines look up repeatedly. */
export interface SecAggTopology {
  digest: Buffer;
  /** Sorted participants. */
  participants: readonly string[];
  /** orgId → 1-based position in the sorted participants: the Shamir x of that org's shares. */
  index: ReadonlyMap<string, number>;
  /** orgId → sorted neighbourhood, the org itself included. */
  neighbours: ReadonlyMap<string, readonly string[]>;
  complete: boolean;
}

const topologies = new Map<string, SecAggTopology>();
const MAX_CACHED_TOPOLOGIES = 32;

/** Uniform integers from a keystream keyed by the digest: the same digest always gives the same draws. */
function digestDraws(digest: Buffer): (bound: number) => number {
  const key = createHash('sha256').update('shoal/secagg/graph/v1').update(digest).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(4096);
  let words = Buffer.alloc(0);
  let at = 0;
  const nextWord = (): number => {
    if (at + 4 > words.length) {
      words = cipher.update(zeros);
      at = 0;
    }
    const word = words.readUInt32LE(at);
    at += 4;
    return word;
  };
  return (bound) => {
    // Rejection sampling: no modulo bias.
    const limit = Math.floor(2 ** 32 / bound) * bound;
    for (;;) {
      const word = nextWord();
      if (word < limit) return word % bound;
    }
  };
}

function buildTopology(config: SecAggConfig, digest: Buffer): SecAggTopology {
  const participants = [...config.participants].sort();
  const n = participants.length;
  const index = new Map(participants.map((org, i) => [org, i + 1] as const));
  const complete = config.degree >= n - 1 || config.degree % 2 === 1;
  const neighbours = new Map<string, readonly string[]>();
  if (complete) {
    for (const org of participants) neighbours.set(org, participants);
  } else {
    const ring = [...participants];
    const draw = digestDraws(digest);
    for (let i = n - 1; i > 0; i--) {
      const j = draw(i + 1);
      [ring[i], ring[j]] = [ring[j], ring[i]];
    }
    const half = config.degree / 2;
    ring.forEach((org, position) => {
      const members = [org];
      for (let k = 1; k <= half; k++) members.push(ring[(position + k) % n], ring[(position - k + n) % n]);
      neighbours.set(org, members.sort());
    });
  }
  return { digest, participants, index, neighbours, complete };
}

/** The config's digest, participant indices and neighbour graph, cached per digest. */
export function secAggTopology(config: SecAggConfig): SecAggTopology {
  const digest = configDigest(config);
  const key = digest.toString('hex');
  let topology = topologies.get(key);
  if (topology === undefined) {
    topology = buildTopology(config, digest);
    if (topologies.size >= MAX_CACHED_TOPOLOGIES) topologies.delete(topologies.keys().next().value as string);
    topologies.set(key, topology);
  }
  return topology;
}

/** N[orgId]: the org and its `degree` neighbours, sorted. */
export function neighbourhood(config: SecAggConfig, orgId: string): string[] {
  const members = secAggTopology(config).neighbours.get(orgId);
  if (members === undefined) throw invalid('orgId', 'a participant of the collection', orgId, `${orgId} is not a participant of collection ${config.collectionId}`);
  return [...members];
}
