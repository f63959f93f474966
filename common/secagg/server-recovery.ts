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
import { combineShares, type Share } from './shamir';
import { PAIRWISE_MASK_INFO, SELF_MASK_INFO } from './transcript';
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

function reconstruct(secret: Secret, shares: Share[] | undefined, threshold: number): Buffer {
  const available = shares?.length ?? 0;
  if (shares === undefined || available < threshold) {
    throw unrecoverable(secret, `${available} shares arrived; the threshold is ${threshold}`, { shares: available, threshold });
  }
  // The t lowest x: the same few x-sets recur, so their Lagrange coefficients are cached.
  const chosen = [...shares].sort((a, b) => a.x - b.x).slice(0, threshold);
  try {
    return Buffer.from(combineShares(chosen));
  } catch (err) {
    throw unrecoverable(secret, 'its revealed shares are inconsistent', {}, err);
  }
}

/** The masks that undo every self mask and every dangling pairwise mask; throws SECAGG_UNRECOVERABLE first if a secret is out of reach. */
export function unmaskingJobs(inputs: RecoveryInputs, responses: UnmaskResponse[]): MaskJob[] {
  const { config, topology } = inputs;
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
  try {
    for (const secret of secretsToRecover(inputs)) {
      const value = reconstruct(secret, byOwner.get(`${secret.kind}\n${secret.owner}`), config.threshold);
      if (secret.kind === 'self-mask-seed') {
        jobs.push({ key: hkdf(value, topology.digest, SELF_MASK_INFO), sign: -1 });
        value.fill(0);
        continue;
      }
      const advertised = inputs.advertisements.get(secret.owner) as KeyAdvertisement;
      const privateKey = x25519PrivateKeyObject(value);
      if (Buffer.compare(x25519PublicKey(privateKey), Buffer.from(advertised.maskingKey)) !== 0) {
        value.fill(0);
        throw unrecoverable(secret, 'the reconstructed key does not match the advertised one (a revealed share is wrong)');
      }
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
  return jobs;
}
