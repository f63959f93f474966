/**
 * The hostile aggregator's attempt to unmask: from every revealed share and
 * every share its colluders hold (both kinds), which honest secrets can it
 * reconstruct, and which sums can it then take off their masks? A secret
 * counts as reconstructed only when it checks out against what its owner
 * signed (seed commitment, masking public key), so a lucky guess is not
 * mistaken for a leak and a real leak is never missed for lack of a check.
 */
import { combineShares, type Share } from '../../common/secagg/shamir';
import { x25519PublicKey } from '../../common/secagg/key-agreement';
import type { SecAggTopology } from '../../common/secagg/secagg-config';
import { survivorComponents } from '../../common/secagg/survivor-graph';
import { seedCommitment } from '../../common/secagg/transcript';
import type { KeyAdvertisement, RevealedShare, UnmaskResponse } from '../../common/secagg';
import type { Obtained } from './hostile-aggregator-script';

/** A colluder's Shamir shares of each owner's two secrets, at the colluder's x. */
export interface ColluderHoldings {
  x: number;
  held: ReadonlyMap<string, { seed: Uint8Array; maskingKey: Uint8Array }>;
}

export interface AttemptInputs {
  collectionId: string;
  topology: SecAggTopology;
  threshold: number;
  honest: readonly string[];
  advertisements: ReadonlyMap<string, KeyAdvertisement>;
  maskedInputs: readonly string[];
  /** Who shared keys: only they are linked to their neighbours by pairwise masks. */
  sharedKeys: ReadonlySet<string>;
  reveals: ReadonlyMap<string, UnmaskResponse>;
  colluders: readonly ColluderHoldings[];
  /** Each distinct survivor set the aggregator told someone. */
  toldSets: readonly string[][];
}

type Kind = RevealedShare['kind'];

function collect(inputs: AttemptInputs): Map<string, Share[]> {
  const shares = new Map<string, Share[]>();
  const add = (owner: string, kind: Kind, share: Share): void => {
    const key = `${kind}:${owner}`;
    const list = shares.get(key) ?? [];
    if (!list.some((s) => s.x === share.x)) list.push(share);
    shares.set(key, list);
  };
  for (const response of inputs.reveals.values()) for (const s of response.shares) add(s.owner, s.kind, { x: s.x, y: s.y });
  for (const colluder of inputs.colluders) {
    for (const [owner, held] of colluder.held) {
      add(owner, 'self-mask-seed', { x: colluder.x, y: held.seed });
      add(owner, 'masking-key', { x: colluder.x, y: held.maskingKey });
    }
  }
  return shares;
}

function reconstructs(shares: Share[] | undefined, threshold: number, check: (secret: Buffer) => boolean): boolean {
  if (shares === undefined || shares.length < threshold) return false;
  try {
    return check(Buffer.from(combineShares(shares)));
  } catch {
    return false;
  }
}

export function attemptUnmasking(inputs: AttemptInputs): Obtained {
  const { topology, threshold, advertisements } = inputs;
  const shares = collect(inputs);
  const owners = [...advertisements.keys()].sort();
  const seeds = new Set(
    owners.filter((owner) =>
      reconstructs(shares.get(`self-mask-seed:${owner}`), threshold, (seed) => seedCommitment(topology.digest, owner, seed).equals(Buffer.from((advertisements.get(owner) as KeyAdvertisement).seedCommitment))),
    ),
  );
  const keys = new Set(
    owners.filter((owner) =>
      reconstructs(shares.get(`masking-key:${owner}`), threshold, (key) => key.length === 32 && x25519PublicKey(key).equals(Buffer.from((advertisements.get(owner) as KeyAdvertisement).maskingKey))),
    ),
  );
  // Colluders' own secrets are the aggregator's anyway.
  for (const colluder of advertisements.keys()) {
    if (!inputs.honest.includes(colluder)) {
      seeds.add(colluder);
      keys.add(colluder);
    }
  }
  const masked = new Set(inputs.maskedInputs);
  // A sum over S comes off its masks when every self mask in S is known and every pairwise mask across S's edge is (either end's key).
  const unmaskable = (set: readonly string[]): boolean => {
    const inside = new Set(set);
    return set.every((i) => masked.has(i) && seeds.has(i) && (topology.neighbours.get(i) as readonly string[]).every((j) => inside.has(j) || !inputs.sharedKeys.has(j) || keys.has(i) || keys.has(j)));
  };
  const candidates = new Map<string, string[]>();
  const consider = (set: readonly string[]): void => {
    const sorted = [...set].sort();
    if (sorted.length > 0) candidates.set(sorted.join(','), sorted);
  };
  for (const told of inputs.toldSets) {
    consider(told);
    // Colluders' inputs are the aggregator's own: their masks come off with their keys, leaving the honest members' sum.
    consider(told.filter((org) => inputs.honest.includes(org)));
    for (const part of survivorComponents(topology, told)) consider(part);
  }
  for (const org of inputs.honest) consider([org]);
  const open = [...candidates.values()].filter(unmaskable);
  const honestSeeds = [...seeds].filter((org) => inputs.honest.includes(org)).sort();
  const honestKeys = [...keys].filter((org) => inputs.honest.includes(org)).sort();
  return {
    collectionId: inputs.collectionId,
    maskedInputs: [...masked].sort(),
    revealedBy: [...inputs.reveals.keys()].sort(),
    seedsRecovered: honestSeeds,
    maskingKeysRecovered: honestKeys,
    exposed: honestSeeds.filter((org) => honestKeys.includes(org)),
    unmaskable: open,
    smallestUnmaskable: open.length === 0 ? null : Math.min(...open.map((set) => set.length)),
  };
}
