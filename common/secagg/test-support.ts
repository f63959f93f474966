/**
 * Test and benchmark support: seeded randomness and an in-memory round that
 * runs every phase between one SecAggServer and its SecAggClients, with
 * participants dropping at chosen points. Not part of the public surface;
 * seeded randomness must never produce real keys.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { identityFromSeed } from './identity';
import type { MaskExpander } from './mask-expansion';
import { compileSecAggConfig } from './secagg-config';
import { SecAggClient } from './secagg-client';
import { SecAggServer } from './secagg-server';
import type { IdentityKeyPair, IdentityRoster, SecAggConfig, UnmaskResponse } from './types';

/** A deterministic byte stream (AES-256-CTR keyed by SHA-256 of the seed). */
export function seededRandomBytes(seed: string): (size: number) => Buffer {
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(`randomBytes/${seed}`).digest(), Buffer.alloc(16));
  return (size) => cipher.update(Buffer.alloc(size));
}

/** A deterministic uniform [0, 1) source from the same stream. */
export function seededRandom(seed: string): () => number {
  const bytes = seededRandomBytes(seed);
  let block: Buffer = Buffer.alloc(0);
  let at = 0;
  return () => {
    if (at >= block.length) {
      block = bytes(4096);
      at = 0;
    }
    const value = block.readUInt32LE(at) / 2 ** 32;
    at += 4;
    return value;
  };
}

export function orgNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `org-${String(i).padStart(3, '0')}`);
}

export interface Cohort {
  config: SecAggConfig;
  identities: Map<string, IdentityKeyPair>;
  roster: IdentityRoster;
  clients: Map<string, SecAggClient>;
}

export interface CohortOptions {
  n: number;
  elementCount: number;
  seed: string;
  degree?: number;
  threshold?: number;
  jobId?: string;
  collectionId?: string;
  masks?: MaskExpander;
  /** Every client's own survivor floor (SecAggClientOptions.minSurvivors). */
  clientMinSurvivors?: number;
}

export function identitiesFor(orgs: string[], seed: string): Map<string, IdentityKeyPair> {
  return new Map(orgs.map((org) => [org, identityFromSeed(org, createHash('sha256').update(`identity/${seed}/${org}`).digest())]));
}

export function makeCohort(options: CohortOptions): Cohort {
  const orgs = orgNames(options.n);
  const config = compileSecAggConfig({
    jobId: options.jobId ?? 'job-1',
    collectionId: options.collectionId ?? 'fit-1',
    participants: orgs,
    elementCount: options.elementCount,
    degree: options.degree,
    threshold: options.threshold,
  });
  const identities = identitiesFor(orgs, options.seed);
  const roster: IdentityRoster = new Map(orgs.map((org) => [org, (identities.get(org) as IdentityKeyPair).publicKey]));
  const clients = new Map(
    orgs.map((org) => [
      org,
      new SecAggClient({ config, identity: identities.get(org) as IdentityKeyPair, roster, randomBytes: seededRandomBytes(`${options.seed}/${config.collectionId}/${org}`), masks: options.masks, minSurvivors: options.clientMinSurvivors }),
    ]),
  );
  return { config, identities, roster, clients };
}

export interface RoundPlan {
  /** Each participant's encoded input, asked for only when it masks. */
  input: (org: string) => Uint32Array;
  minSurvivors?: number;
  serverMasks?: MaskExpander;
  /** Advertise, then vanish. */
  dropAfterAdvertise?: string[];
  /** Share keys, then vanish. */
  dropAfterShare?: string[];
  /** Send the masked input, then vanish (no signature, no unmasking). */
  dropAfterMaskedInput?: string[];
  /** Sign the survivor set, then vanish (no unmasking). */
  dropAfterConsistency?: string[];
  /** Rewrites a participant's unmask response before the server sees it: a participant revealing wrong shares. */
  alterUnmask?: (response: UnmaskResponse) => UnmaskResponse;
  /** Called with each participant's maskInput time in ms. */
  onMaskTime?: (org: string, ms: number) => void;
}

export interface RoundResult {
  sum: Uint32Array;
  /** The plain sum of the survivors' inputs, mod 2^32. */
  expected: Uint32Array;
  survivors: string[];
  finishMs: number;
  /** SecAggServer.badShareHolders() after finish. */
  badShareHolders: string[];
}

/** Runs one collection from AdvertiseKeys to the unmasked sum, entirely in memory. */
export async function runRound(cohort: Cohort, plan: RoundPlan): Promise<RoundResult> {
  const { config, roster, clients } = cohort;
  const server = new SecAggServer({ config, roster, minSurvivors: plan.minSurvivors ?? 1, masks: plan.serverMasks });
  const drops = (list: string[] | undefined) => new Set(list ?? []);
  const [afterAdvertise, afterShare, afterMasked, afterConsistency] = [plan.dropAfterAdvertise, plan.dropAfterShare, plan.dropAfterMaskedInput, plan.dropAfterConsistency].map(drops);

  for (const client of clients.values()) server.receiveAdvertisement(client.advertiseKeys());
  const advertisements = server.closeAdvertise();
  for (const ad of advertisements) {
    if (afterAdvertise.has(ad.orgId)) server.markGone(ad.orgId, 'dropped after advertising');
    else server.receiveShares(ad.orgId, (clients.get(ad.orgId) as SecAggClient).shareKeys(advertisements));
  }
  server.closeShareKeys();

  const expected = new Uint32Array(config.elementCount);
  for (const org of server.waitingFor()) {
    if (afterShare.has(org)) {
      server.markGone(org, 'dropped after sharing keys');
      continue;
    }
    const input = plan.input(org);
    const started = performance.now();
    const masked = await (clients.get(org) as SecAggClient).maskInput(server.sharesFor(org), input);
    plan.onMaskTime?.(org, performance.now() - started);
    for (let k = 0; k < expected.length; k++) expected[k] += input[k];
    server.receiveMaskedInput(org, masked);
  }
  const survivors = server.closeMaskedInput();

  for (const org of survivors) {
    if (afterMasked.has(org)) server.markGone(org, 'dropped after sending its masked input');
    else server.receiveSurvivorSignature((clients.get(org) as SecAggClient).signSurvivors(survivors));
  }
  const signatures = server.closeConsistency();
  for (const { orgId } of signatures) {
    if (afterConsistency.has(orgId)) server.markGone(orgId, 'dropped after signing');
    else {
      const response = (clients.get(orgId) as SecAggClient).unmask(survivors, signatures);
      server.receiveUnmask(plan.alterUnmask?.(response) ?? response);
    }
  }
  const started = performance.now();
  const sum = await server.finish();
  return { sum, expected, survivors, finishMs: performance.now() - started, badShareHolders: server.badShareHolders() };
}
