/**
 * The server's unmasking arithmetic. For each survivor i it reconstructs the
 * self-mask seed b_i and subtracts PRG(b_i); for each participant j that
 * shared keys but sent no masked input it reconstructs the masking key s_j
 * and removes the pairwise mask that each surviving neighbour i added for j,
 * X25519(s_j, S_i) through HKDF. Every other pairwise mask cancels in the sum.
 */
import { SecAggError, type SecAggPhase } from './errors';
import { hkdf, x25519, x25519PrivateKeyObject, x25519PublicKey } from './key-agreement';
import type { MaskJob } from './mask-expansion';
import { countIn } from './message-checks';
import type { SecAggTopology } from './secagg-config';
import { combineShares, evaluateAt, type Share } from './shamir';
import { PAIRWISE_MASK_INFO, seedCommitment, SELF_MASK_INFO } from './transcript';
import type { KeyAdvertisement, RevealedShare, SecAggConfig, UnmaskResponse } from './types';

export interface RecoveryInputs {
  config: SecAggConfig;
  topology: SecAggTopology;
  advertisements: ReadonlyMap<string, KeyAdvertisement>;
  /** U2: who shared keys. */
  sharedKeys: ReadonlySet<string>;
  /** U3: whose masked inputs are in the sum, in sorted order. */
  survivors: ReadonlySet<string>;
}

interface Secret {
  owner: string;
  kind: RevealedShare['kind'];
}

function neighboursOf(inputs: RecoveryInputs, org: string): readonly string[] {
  return inputs.topology.neighbours.get(org) as readonly string[];
}

/** Every secret the server must reconstruct: survivors' seeds, and the masking keys of dropped participants with a surviving neighbour. */
function secretsToRecover(inputs: RecoveryInputs): Secret[] {
  const survivors = inputs.survivors;
  const secrets: Secret[] = [...survivors].map((owner) => ({ owner, kind: 'self-mask-seed' }));
  for (const owner of inputs.sharedKeys) {
    if (survivors.has(owner)) continue;
    if (neighboursOf(inputs, owner).some((peer) => survivors.has(peer))) secrets.push({ owner, kind: 'masking-key' });
  }
  return secrets;
}

function describe(secret: Secret): string {
  return `the ${secret.kind === 'self-mask-seed' ? 'self-mask seed' : 'masking key'} of ${secret.owner}`;
}

function unrecoverable(secret: Secret, message: string, details: Record<string, unknown> = {}, cause?: unknown): SecAggError {
  return new SecAggError('SECAGG_UNRECOVERABLE', `${describe(secret)} cannot be recovered: ${message}`, { phase: 'finish', org: secret.owner, kind: secret.kind, ...details }, cause);
}

/** Throws when some secret has fewer than t holders left in `holders`: the phase must not close. */
export function checkRecoverable(inputs: RecoveryInputs, holders: ReadonlySet<string>, phase: SecAggPhase, holderWord: string): void {
  const threshold = inputs.config.threshold;
  for (const secret of secretsToRecover(inputs)) {
    const count = countIn(neighboursOf(inputs, secret.owner), holders);
    if (count < threshold) {
      throw new SecAggError(
        'SECAGG_UNRECOVERABLE',
        `${describe(secret)} cannot be recovered: only ${count} of its neighbourhood ${holderWord}; the threshold is ${threshold}`,
        { phase, org: secret.owner, kind: secret.kind, holders: count, threshold },
      );
    }
  }
}

/** Whether a reconstructed value is the owner's secret: its seed commitment, or the masking public key it advertised. */
type SecretCheck = (value: Buffer) => boolean;

/** Reconstructions the search for a consistent t-subset may try per secret, beyond the first. */
const MAX_SEARCH_TRIES = 2000;
/** The search leaves out at most this many shares at once. */
const MAX_LEFT_OUT = 2;

interface Recovered {
  value: Buffer;
  /** x of the holders whose share does not lie on the owner's polynomial. */
  badXs: number[];
}

function tryCombine(chosen: Share[], check: SecretCheck): Buffer | undefined {
  let value: Buffer;
  try {
    value = Buffer.from(combineShares(chosen));
  } catch {
    return undefined;
  }
  if (check(value)) return value;
  value.fill(0);
  return undefined;
}

/** Index sets of size 1..MAX_LEFT_OUT over `count` shares, smallest first. */
function* leaveOutSets(count: number, most: number): Generator<number[]> {
  for (let i = 0; i < count; i++) yield [i];
  if (most < 2) return;
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) yield [i, j];
}

/**
 * The secret behind `shares`, checked. The t lowest x come first (their
 * Lagrange coefficients are cached). When that fails the check, some revealed
 * share is wrong: t-subsets that leave shares out are tried, and a subset
 * whose secret passes the check fixes the owner's polynomial, so every other
 * share can be tested against it. A subset of forged shares can be crafted
 * to pass the check too, but its polynomial meets the honest shares at most
 * t − 1 times; the candidate most shares agree with wins, which is the true
 * one whenever the shares number at least t + 2·(wrong ones).
 */
function recover(secret: Secret, shares: Share[] | undefined, threshold: number, check: SecretCheck, holderAt: ReadonlyMap<number, string>): Recovered {
  const available = shares?.length ?? 0;
  if (shares === undefined || available < threshold) {
    throw unrecoverable(secret, `${available} shares arrived; the threshold is ${threshold}`, { shares: available, threshold });
  }
  const sorted = [...shares].sort((a, b) => a.x - b.x);
  const first = tryCombine(sorted.slice(0, threshold), check);
  if (first !== undefined) return { value: first, badXs: [] };
  let best: { value: Buffer; agree: number; badXs: number[] } | undefined;
  const tried = new Set<string>([sorted.slice(0, threshold).map((s) => s.x).join(',')]);
  for (const leftOut of leaveOutSets(sorted.length, Math.min(MAX_LEFT_OUT, sorted.length - threshold))) {
    if (tried.size > MAX_SEARCH_TRIES) break;
    const chosen = sorted.filter((_, i) => !leftOut.includes(i)).slice(0, threshold);
    const key = chosen.map((s) => s.x).join(',');
    if (tried.has(key)) continue;
    tried.add(key);
    const value = tryCombine(chosen, check);
    if (value === undefined) continue;
    const chosenXs = new Set(chosen.map((s) => s.x));
    const badXs = sorted.filter((s) => !chosenXs.has(s.x) && Buffer.compare(Buffer.from(evaluateAt(chosen, s.x)), Buffer.from(s.y)) !== 0).map((s) => s.x);
    const agree = sorted.length - badXs.length;
    if (best === undefined || agree > best.agree) {
      best?.value.fill(0);
      best = { value, agree, badXs };
    } else {
      value.fill(0);
    }
    // Every share agrees except the ones left out: no candidate can do better.
    if (badXs.length <= leftOut.length) break;
  }
  if (best === undefined) {
    throw new SecAggError(
      'SECAGG_BAD_SHARE',
      `${describe(secret)} cannot be recovered: its ${available} revealed shares reconstruct no secret that matches what ${secret.owner} advertised, and no subset leaving out up to ${MAX_LEFT_OUT} shares does (a revealed share is wrong)`,
      { phase: 'finish', org: secret.owner, owner: secret.owner, kind: secret.kind, shares: available, threshold, suspects: sorted.map((s) => holderAt.get(s.x) as string) },
    );
  }
  return { value: best.value, badXs: best.badXs };
}

/** What removing the masks needs, and who revealed a wrong share (named so the aggregator can report them; their shares were ignored). */
export interface Unmasking {
  jobs: MaskJob[];
  badShareHolders: string[];
}

function checkFor(inputs: RecoveryInputs, secret: Secret): SecretCheck {
  const advertised = inputs.advertisements.get(secret.owner) as KeyAdvertisement;
  if (secret.kind === 'self-mask-seed') {
    const commitment = Buffer.from(advertised.seedCommitment);
    return (value) => Buffer.compare(seedCommitment(inputs.topology.digest, secret.owner, value), commitment) === 0;
  }
  const maskingKey = Buffer.from(advertised.maskingKey);
  return (value) => Buffer.compare(x25519PublicKey(x25519PrivateKeyObject(value)), maskingKey) === 0;
}

/**
 * The masks that undo every self mask and every dangling pairwise mask.
 * Throws SECAGG_UNRECOVERABLE first if a secret is out of reach, and
 * SECAGG_BAD_SHARE if wrong revealed shares cannot be outvoted.
 */
export function unmaskingJobs(inputs: RecoveryInputs, responses: UnmaskResponse[]): Unmasking {
  const { config, topology } = inputs;
  const holderAt = new Map([...topology.index].map(([org, x]) => [x, org]));
  const byOwner = new Map<string, Share[]>();
  for (const response of responses) {
    for (const share of response.shares) {
      const key = `${share.kind}\n${share.owner}`;
      const list = byOwner.get(key) ?? [];
      list.push({ x: share.x, y: share.y });
      byOwner.set(key, list);
    }
  }
  const survivors = inputs.survivors;
  const jobs: MaskJob[] = [];
  /** x of holders caught revealing a wrong share: their other shares are not trusted either. */
  const badXs = new Set<number>();
  try {
    for (const secret of secretsToRecover(inputs)) {
      const all = byOwner.get(`${secret.kind}\n${secret.owner}`);
      const trusted = all?.filter((share) => !badXs.has(share.x));
      const shares = trusted !== undefined && trusted.length >= config.threshold ? trusted : all;
      const recovered = recover(secret, shares, config.threshold, checkFor(inputs, secret), holderAt);
      for (const x of recovered.badXs) badXs.add(x);
      const value = recovered.value;
      if (secret.kind === 'self-mask-seed') {
        jobs.push({ key: hkdf(value, topology.digest, SELF_MASK_INFO), sign: -1 });
        value.fill(0);
        continue;
      }
      // recover() checked the key against the advertised masking key.
      const privateKey = x25519PrivateKeyObject(value);
      for (const peer of neighboursOf(inputs, secret.owner)) {
        if (!survivors.has(peer)) continue;
        const shared = x25519(privateKey, (inputs.advertisements.get(peer) as KeyAdvertisement).maskingKey);
        if (shared === null) throw unrecoverable(secret, `no key agreement with ${peer}'s masking key`);
        // The survivor added +PRG when it sorts first, −PRG otherwise; undo that.
        jobs.push({ key: hkdf(shared, topology.digest, PAIRWISE_MASK_INFO), sign: peer < secret.owner ? -1 : 1 });
        shared.fill(0);
      }
      value.fill(0);
    }
  } catch (err) {
    for (const job of jobs) job.key.fill(0);
    throw err;
  }
  const badShareHolders = [...badXs].map((x) => holderAt.get(x) as string).sort();
  return { jobs, badShareHolders };
}
