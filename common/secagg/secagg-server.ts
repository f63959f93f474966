/**
 * The server's side of secure aggregation: it relays keys and encrypted
 * shares, adds masked inputs into one accumulator as they arrive, and once
 * the survivors have signed their set it reconstructs the secrets that
 * remove the masks. It validates every message (sender in the right set,
 * shares addressed along the neighbour graph, lengths, no duplicates) and
 * refuses to close a phase from which the sum could no longer be recovered.
 */
import { SecAggError, type SecAggPhase } from './errors';
import { InlineMaskExpander, sharedUint32Array, type MaskExpander } from './mask-expansion';
import {
  badMessage,
  checkAdvertisement,
  checkMember,
  checkRoster,
  checkSurvivorSignature,
  countIn,
  SHARE_BOX_BYTES,
} from './message-checks';
import { secAggTopology, type SecAggTopology } from './secagg-config';
import { checkRecoverable, unmaskingJobs, type RecoveryInputs } from './server-recovery';
import { survivorComponents } from './survivor-graph';
import { isShareValue } from './shamir';
import { addWordsInto } from './wasm-add-kernel';
import type { EncryptedShare, IdentityRoster, KeyAdvertisement, RevealedShare, SecAggConfig, SurvivorSignature, UnmaskResponse } from './types';

export interface SecAggServerOptions {
  config: SecAggConfig;
  roster: IdentityRoster;
  /** The job's minimum: a sum of fewer participants is never unmasked. */
  minSurvivors: number;
  /** Defaults to an InlineMaskExpander. */
  masks?: MaskExpander;
}

export type SecAggServerPhase = 'advertise' | 'share' | 'masked-input' | 'consistency' | 'unmask' | 'done';

const PROTOCOL_PHASE: Record<SecAggServerPhase, SecAggPhase> = {
  advertise: 'advertise',
  share: 'share',
  'masked-input': 'masked-input',
  consistency: 'consistency',
  unmask: 'unmask',
  done: 'finish',
};

export class SecAggServer {
  private readonly config: SecAggConfig;
  private readonly roster: IdentityRoster;
  private readonly minSurvivors: number;
  private readonly masks: MaskExpander;
  private readonly topology: SecAggTopology;
  private current: SecAggServerPhase = 'advertise';
  private finishing = false;
  private readonly gone = new Map<string, string>();
  /** Who answered the current phase, with what. */
  private readonly advertisements = new Map<string, KeyAdvertisement>();
  private readonly submittedShares = new Map<string, EncryptedShare[]>();
  private readonly maskedFrom = new Set<string>();
  private readonly signatures = new Map<string, SurvivorSignature>();
  private readonly responses = new Map<string, UnmaskResponse>();
  private readonly cohort: ReadonlySet<string>;
  /** U1 ⊇ U2 ⊇ U3 ⊇ U4: advertised, shared keys, sent masked input, signed the survivor set; each in sorted order. */
  private u1: ReadonlySet<string> = new Set();
  private u2: ReadonlySet<string> = new Set();
  private u3: ReadonlySet<string> = new Set();
  private u4: ReadonlySet<string> = new Set();
  /** U3 as the sorted list the survivors sign. */
  private survivorList: string[] = [];
  private inbox = new Map<string, EncryptedShare[]>();
  private accumulator: Uint32Array | undefined;
  /** Holders whose revealed share was wrong; finish() left their shares out. */
  private badHolders: string[] = [];
  /** Set when removing the masks failed part-way: the sum is unusable. */
  private broken: unknown;

  constructor(options: SecAggServerOptions) {
    this.config = options.config;
    this.roster = options.roster;
    this.masks = options.masks ?? new InlineMaskExpander();
    this.topology = secAggTopology(options.config);
    this.cohort = new Set(this.topology.participants);
    checkRoster(options.config, options.roster, 'advertise');
    if (!Number.isSafeInteger(options.minSurvivors) || options.minSurvivors < 1) {
      throw badMessage('advertise', `minSurvivors must be a whole number >= 1, got ${options.minSurvivors}`);
    }
    this.minSurvivors = options.minSurvivors;
  }

  get phase(): SecAggServerPhase {
    return this.current;
  }

  /** Who the current phase still waits for: members of the previous phase's set that neither answered nor were marked gone. */
  waitingFor(): string[] {
    const expected: Record<SecAggServerPhase, [ReadonlySet<string>, ReadonlySet<string> | ReadonlyMap<string, unknown>]> = {
      advertise: [this.cohort, this.advertisements],
      share: [this.u1, this.submittedShares],
      'masked-input': [this.u2, this.maskedFrom],
      consistency: [this.u3, this.signatures],
      unmask: [this.u4, this.responses],
      done: [new Set(), new Set()],
    };
    const [members, answered] = expected[this.current];
    return [...members].filter((org) => !answered.has(org) && !this.gone.has(org));
  }

  /**
   * Stops waiting for `orgId` and refuses anything it sends later. Its
   * advertisement or shares, when the current phase has not used them yet,
   * are dropped; a masked input already summed stays in the sum.
   */
  markGone(orgId: string, reason: string): void {
    checkMember(this.topology, orgId, PROTOCOL_PHASE[this.current], 'markGone');
    if (!this.gone.has(orgId)) this.gone.set(orgId, reason);
    if (this.current === 'advertise') this.advertisements.delete(orgId);
    if (this.current === 'share') this.submittedShares.delete(orgId);
  }

  private expect(phase: SecAggServerPhase, from?: string): void {
    if (this.current !== phase || this.finishing) {
      throw new SecAggError('SECAGG_OUT_OF_ORDER', `a ${phase} message${from === undefined ? '' : ` from ${from}`} arrived while the server is in its ${this.current} phase`, {
        phase: PROTOCOL_PHASE[phase],
        org: from,
        serverPhase: this.current,
      });
    }
  }

  /** The sender is a participant, in `set`, not gone, and has not answered this phase yet. */
  private checkSender(from: unknown, set: ReadonlySet<string>, answered: ReadonlySet<string> | ReadonlyMap<string, unknown>, phase: SecAggPhase, what: string): string {
    const org = checkMember(this.topology, from, phase, what);
    const reason = this.gone.get(org);
    if (reason !== undefined) throw badMessage(phase, `${what} from ${org}, which was marked gone (${reason})`, org);
    if (!set.has(org)) throw badMessage(phase, `${what} from ${org}, which is not in the set this phase waits for`, org);
    if (answered.has(org)) throw badMessage(phase, `a second ${what} from ${org}`, org);
    return org;
  }

  /** `answered` took part; `usable` of them also have a threshold of neighbours that did. */
  private quorum(answered: number, usable: number, phase: SecAggPhase, what: string): void {
    const needed = Math.max(this.minSurvivors, this.config.threshold);
    if (usable < needed) {
      const pruned = usable < answered ? `, and only ${usable} of them have a threshold of neighbours that did too` : '';
      throw new SecAggError(
        'QUORUM_NOT_MET',
        `only ${answered} participants ${what}${pruned}; at least ${needed} are needed (the job's minimum is ${this.minSurvivors}, the threshold ${this.config.threshold})`,
        { phase, answered, usable, needed },
      );
    }
  }

  /**
   * Closes a key phase: drops, repeatedly, members whose neighbourhood within
   * the set is below the threshold (they could never finish), checks the
   * quorum, and only then marks the dropped ones gone.
   */
  private closeKeyPhase(answered: ReadonlyMap<string, unknown>, phase: SecAggPhase, what: string, reason: string): ReadonlySet<string> {
    const set = new Set(answered.keys());
    const dropped: string[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      for (const org of set) {
        if (countIn(this.topology.neighbours.get(org) as readonly string[], set) < this.config.threshold) {
          set.delete(org);
          dropped.push(org);
          changed = true;
        }
      }
    }
    this.quorum(answered.size, set.size, phase, what);
    for (const org of dropped) if (!this.gone.has(org)) this.gone.set(org, reason);
    return new Set([...set].sort());
  }

  receiveAdvertisement(advertisement: KeyAdvertisement): void {
    this.expect('advertise', advertisement?.orgId);
    const org = this.checkSender(advertisement?.orgId, this.cohort, this.advertisements, 'advertise', 'key advertisement');
    checkAdvertisement(advertisement, this.topology, this.roster, 'advertise');
    this.advertisements.set(org, { ...advertisement });
  }

  /** U1: the verified advertisements, which every participant receives. */
  closeAdvertise(): KeyAdvertisement[] {
    this.expect('advertise');
    this.u1 = this.closeKeyPhase(this.advertisements, 'advertise', 'advertised keys', 'too few of its neighbours advertised keys');
    this.current = 'share';
    return [...this.u1].map((org) => ({ ...(this.advertisements.get(org) as KeyAdvertisement) }));
  }

  /** One sender's shares: exactly one for each of its neighbours in U1, each from it and of the sealed length. */
  receiveShares(from: string, shares: EncryptedShare[]): void {
    this.expect('share', from);
    const org = this.checkSender(from, this.u1, this.submittedShares, 'share', 'set of encrypted shares');
    const expected = new Set((this.topology.neighbours.get(org) as readonly string[]).filter((peer) => peer !== org && this.u1.has(peer)));
    const seen = new Set<string>();
    for (const share of shares) {
      if (share?.from !== org) throw badMessage('share', `${org} sent a share marked as from ${String(share?.from)}`, org);
      if (typeof share.to !== 'string' || !expected.has(share.to)) throw badMessage('share', `${org} sent a share to ${String(share.to)}, which is not one of its advertised neighbours`, org);
      if (seen.has(share.to)) throw badMessage('share', `${org} sent two shares to ${share.to}`, org);
      if (!(share.ciphertext instanceof Uint8Array) || share.ciphertext.length !== SHARE_BOX_BYTES) {
        throw badMessage('share', `${org}'s share for ${share.to} is ${share.ciphertext?.length ?? 'missing'} bytes, expected ${SHARE_BOX_BYTES}`, org);
      }
      seen.add(share.to);
    }
    const missing = [...expected].filter((peer) => !seen.has(peer));
    if (missing.length > 0) throw badMessage('share', `${org} sent no share for ${missing.join(', ')}`, org, { missing });
    this.submittedShares.set(org, shares.map((share) => ({ ...share })));
  }

  /** U2: who shared keys. Each participant in it may now fetch the shares addressed to it. */
  closeShareKeys(): void {
    this.expect('share');
    this.u2 = this.closeKeyPhase(this.submittedShares, 'share', 'shared keys', 'too few of its neighbours shared keys');
    this.inbox = new Map([...this.u2].map((org) => [org, [] as EncryptedShare[]]));
    for (const sender of this.u2) {
      for (const share of this.submittedShares.get(sender) as EncryptedShare[]) {
        if (this.u2.has(share.to)) this.inbox.get(share.to)?.push(share);
      }
    }
    this.submittedShares.clear();
    this.accumulator = sharedUint32Array(this.config.elementCount);
    this.current = 'masked-input';
  }

  sharesFor(orgId: string): EncryptedShare[] {
    if (this.current === 'advertise' || this.current === 'share') {
      throw new SecAggError('SECAGG_OUT_OF_ORDER', `shares for ${orgId} were asked for before the share phase closed`, { phase: 'share', org: orgId });
    }
    const shares = this.inbox.get(orgId);
    if (shares === undefined) throw badMessage('masked-input', `${orgId} did not share keys, so it receives no shares`, orgId);
    return shares.map((share) => ({ ...share }));
  }

  /** Adds a masked input straight into the running sum; inputs are not kept. */
  receiveMaskedInput(from: string, masked: Uint32Array): void {
    this.expect('masked-input', from);
    const org = this.checkSender(from, this.u2, this.maskedFrom, 'masked-input', 'masked input');
    if (!(masked instanceof Uint32Array) || masked.length !== this.config.elementCount) {
      throw badMessage('masked-input', `masked input of ${org} has ${masked?.length ?? 'no'} elements, expected ${this.config.elementCount}`, org);
    }
    addWordsInto(this.accumulator as Uint32Array, masked, 1);
    this.maskedFrom.add(org);
  }

  private recoveryInputs(survivors = this.u3): RecoveryInputs {
    return { config: this.config, topology: this.topology, advertisements: this.advertisements, sharedKeys: this.u2, survivors };
  }

  /** U3: whose masked inputs are in the sum. Refuses a sum of fewer than the job's minimum, a U3 split on the neighbour graph, or one that could not be unmasked. */
  closeMaskedInput(): string[] {
    this.expect('masked-input');
    const survivors = [...this.maskedFrom].sort();
    if (survivors.length < this.minSurvivors) {
      throw new SecAggError('QUORUM_NOT_MET', `refusing to unmask a sum of ${survivors.length} participants; the job's minimum is ${this.minSurvivors}`, {
        phase: 'masked-input',
        count: survivors.length,
        needed: this.minSurvivors,
      });
    }
    this.quorum(survivors.length, survivors.length, 'masked-input', 'sent masked inputs');
    const u3 = new Set(survivors);
    // Checked before recoverability: a split ring must be named as such, since unmasking it would reveal each part's sum.
    const components = survivorComponents(this.topology, u3);
    if (components.length > 1) {
      const sizes = components.map((component) => component.length);
      throw new SecAggError(
        'SECAGG_DISCONNECTED_SURVIVORS',
        `refusing to unmask: the ${survivors.length} participants that sent masked inputs fall into ${components.length} parts of the neighbour graph (sizes ${sizes.join(', ')}), and unmasking would reveal the sum of each part`,
        { phase: 'masked-input', components: components.length, componentSizes: sizes },
      );
    }
    checkRecoverable(this.recoveryInputs(u3), u3, 'masked-input', 'survived');
    this.u3 = u3;
    this.survivorList = survivors;
    this.current = 'consistency';
    return [...survivors];
  }

  receiveSurvivorSignature(signature: SurvivorSignature): void {
    this.expect('consistency', signature?.orgId);
    const org = this.checkSender(signature?.orgId, this.u3, this.signatures, 'consistency', 'survivor-set signature');
    checkSurvivorSignature(signature, this.survivorList, this.topology, this.roster, 'consistency');
    this.signatures.set(org, { orgId: org, signature: new Uint8Array(signature.signature) });
  }

  /** U4: who signed. Every secret to reconstruct must still have a threshold of signers among its holders. */
  closeConsistency(): SurvivorSignature[] {
    this.expect('consistency');
    const u4 = new Set([...this.signatures.keys()].sort());
    checkRecoverable(this.recoveryInputs(), u4, 'consistency', 'signed the survivor set');
    this.u4 = u4;
    this.current = 'unmask';
    return [...this.u4].map((org) => ({ ...(this.signatures.get(org) as SurvivorSignature) }));
  }

  /** One participant's revealed shares: exactly the seeds of survivors and the masking keys of dropped peers in its neighbourhood. */
  receiveUnmask(response: UnmaskResponse): void {
    this.expect('unmask', response?.orgId);
    const org = this.checkSender(response?.orgId, this.u4, this.responses, 'unmask', 'unmask response');
    const x = this.topology.index.get(org) as number;
    const expected = new Map<string, RevealedShare['kind']>();
    for (const owner of this.topology.neighbours.get(org) as readonly string[]) {
      if (this.u3.has(owner)) expected.set(owner, 'self-mask-seed');
      else if (this.u2.has(owner)) expected.set(owner, 'masking-key');
    }
    const seen = new Set<string>();
    for (const share of response.shares ?? []) {
      const kind = expected.get(share?.owner);
      if (kind === undefined || share.kind !== kind) {
        throw badMessage('unmask', `${org} revealed a ${String(share?.kind)} share of ${String(share?.owner)}, which was not asked for`, org);
      }
      if (seen.has(share.owner)) throw badMessage('unmask', `${org} revealed two shares of ${share.owner}`, org);
      if (share.x !== x || !(share.y instanceof Uint8Array) || !isShareValue(share.y)) {
        throw badMessage('unmask', `${org}'s share of ${share.owner} is malformed (x must be ${x}, y a field element)`, org);
      }
      seen.add(share.owner);
    }
    const missing = [...expected.keys()].filter((owner) => !seen.has(owner));
    if (missing.length > 0) throw badMessage('unmask', `${org} revealed no share of ${missing.join(', ')}`, org, { missing });
    this.responses.set(org, { orgId: org, shares: response.shares.map((share) => ({ ...share, y: new Uint8Array(share.y) })) });
  }

  /**
   * Participants that revealed a wrong share, found by the last finish()
   * (checked against seed commitments and masking keys). The sum did not use
   * their shares; the caller should report them. Names only, no share values.
   */
  badShareHolders(): string[] {
    return [...this.badHolders];
  }

  /** Reconstructs the secrets, removes every mask and returns the sum of the survivors' inputs mod 2^32. */
  async finish(): Promise<Uint32Array> {
    if (this.broken !== undefined) throw this.broken;
    this.expect('unmask');
    // Throws SECAGG_UNRECOVERABLE before touching the sum; finish may be called again once more shares arrived.
    const { jobs, badShareHolders } = unmaskingJobs(this.recoveryInputs(), [...this.responses.values()]);
    this.badHolders = badShareHolders;
    const sum = this.accumulator as Uint32Array;
    this.finishing = true;
    try {
      await this.masks.addMasks(sum, jobs);
    } catch (err) {
      this.broken = err;
      throw err;
    } finally {
      this.finishing = false;
      for (const job of jobs) job.key.fill(0);
    }
    this.current = 'done';
    this.responses.clear();
    return sum;
  }
}
