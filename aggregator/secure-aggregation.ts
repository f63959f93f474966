/**
 * Secure aggregation at the aggregator: the server side of SecAgg/SecAgg+
 * behind the same Aggregation interface as plain aggregation. It paces the
 * protocol's phases — each closes when every participant it waits for has
 * answered or gone, or when its timeout passes — and hands each waiting
 * participant what its phase produced. The pure protocol state lives in
 * SecAggServer; this class only adds time and waiting.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../common/errors';
import { decodeAggregate, type ContributionEncoding, type MaskExpander, SecAggServer, type EncryptedShare, type IdentityRoster, type KeyAdvertisement, type SecAggConfig, type SurvivorSignature, type UnmaskResponse } from '../common/secagg';
import type { NumericVector } from '../common/vector-codec';
import type { AggregateResult, Aggregation } from './aggregation';
import { AggregatorError } from './errors';

export interface SecureAggregationOptions {
  config: SecAggConfig;
  roster: IdentityRoster;
  encoding: ContributionEncoding;
  /** The job's minimum: a sum of fewer participants is never unmasked. */
  minSurvivors: number;
  /** How long each key phase and each unmasking phase waits. */
  phaseTimeoutMs: number;
  masks: MaskExpander;
  /** Tells the collection to stop waiting for a participant that can no longer contribute. */
  onGone: (orgId: string, reason: string) => void;
  logger: Logger;
}

type PhaseName = 'advertise' | 'share' | 'masked-input' | 'consistency' | 'unmask';

/** One waiting call per participant and phase, answered when the phase closes. */
interface Waiter {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class SecureAggregation implements Aggregation {
  private readonly server: SecAggServer;
  private readonly waiters = new Map<PhaseName, Map<string, Waiter>>();
  private readonly gone = new Set<string>();
  private readonly phaseDone = new Map<PhaseName, () => void>();
  private timer: NodeJS.Timeout | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private survivorSet: string[] | undefined;
  private failure: unknown;
  private disposed = false;

  constructor(private readonly options: SecureAggregationOptions) {
    this.server = new SecAggServer({ config: options.config, roster: options.roster, minSurvivors: options.minSurvivors, masks: options.masks });
    this.armTimer('advertise');
  }

  advertiseKeys(orgId: string, advertisement: KeyAdvertisement, cancelled: Promise<void>): Promise<KeyAdvertisement[]> {
    this.expectPhase('advertise', orgId);
    if (advertisement.orgId !== orgId) throw new AggregatorError('INVALID_CONTRIBUTION', `${orgId} sent a key advertisement for ${advertisement.orgId}`);
    this.server.receiveAdvertisement(advertisement);
    return this.wait<KeyAdvertisement[]>('advertise', orgId, cancelled);
  }

  shareKeys(orgId: string, shares: EncryptedShare[], cancelled: Promise<void>): Promise<EncryptedShare[]> {
    this.expectPhase('share', orgId);
    this.server.receiveShares(orgId, shares);
    return this.wait<EncryptedShare[]>('share', orgId, cancelled);
  }

  /** Waits for the survivor set; a participant holds this call open while it trains, so its death is noticed at once. */
  consistencyCheck(orgId: string, cancelled: Promise<void>): Promise<string[]> {
    if (this.failure) throw this.failure;
    // Asked after the masked inputs closed: the answer is already known.
    if (this.survivorSet) return Promise.resolve(this.survivorSet);
    this.expectPhase('masked-input', orgId);
    return this.wait<string[]>('masked-input', orgId, cancelled);
  }

  signSurvivors(orgId: string, signature: SurvivorSignature, cancelled: Promise<void>): Promise<SurvivorSignature[]> {
    this.expectPhase('consistency', orgId);
    if (signature.orgId !== orgId) throw new AggregatorError('INVALID_CONTRIBUTION', `${orgId} sent a survivor signature for ${signature.orgId}`);
    this.server.receiveSurvivorSignature(signature);
    return this.wait<SurvivorSignature[]>('consistency', orgId, cancelled);
  }

  unmask(orgId: string, response: UnmaskResponse): void {
    this.expectPhase('unmask', orgId);
    this.server.receiveUnmask(response);
    this.closeIfAnswered('unmask');
  }

  add(orgId: string, _weight: number, vector: NumericVector): void {
    if (!(vector instanceof Uint32Array)) throw new AggregatorError('INVALID_CONTRIBUTION', `${orgId} sent a float vector to a secure collection; masked inputs are DTYPE_UINT32`);
    // The weight travels inside the masked vector; the header's weight is ignored.
    this.server.receiveMaskedInput(orgId, vector);
  }

  async result(): Promise<AggregateResult> {
    try {
      return await this.unmaskSum();
    } catch (err) {
      // Participants still waiting hear the real reason when the collection is disposed.
      this.failure ??= err;
      throw err;
    }
  }

  private async unmaskSum(): Promise<AggregateResult> {
    const { logger } = this.options;
    if (this.failure) throw this.failure;
    clearTimeout(this.presenceTimer);
    const survivors = this.server.closeMaskedInput();
    this.survivorSet = survivors;
    logger.info({ survivors: survivors.length }, 'masked inputs closed');
    this.answer('masked-input', () => survivors);
    await this.runPhase('consistency', () => {
      const signatures = this.server.closeConsistency();
      this.answer('consistency', () => signatures);
    });
    await this.runPhase('unmask', () => undefined);
    const sum = await this.server.finish();
    // A wrong revealed share was outvoted by the spares; name its holders (never the shares) so operators can act.
    const badShareHolders = this.server.badShareHolders();
    if (badShareHolders.length > 0) logger.warn({ code: 'SECAGG_BAD_SHARE', badShareHolders }, 'participants revealed wrong shares; they were left out of unmasking');
    const decoded = decodeAggregate(this.options.encoding, sum, survivors.length);
    logger.info({ contributors: survivors.length }, 'sum unmasked');
    return { ...decoded, contributors: survivors };
  }

  /** Why this collection can no longer produce a sum, once it cannot. */
  failureReason(): unknown {
    return this.failure;
  }

  markGone(orgId: string, reason: string): void {
    if (this.gone.has(orgId) || this.disposed) return;
    this.gone.add(orgId);
    this.options.logger.info({ org: orgId, phase: this.server.phase, reason }, 'participant gone from secure collection');
    this.server.markGone(orgId, reason);
    this.options.onGone(orgId, reason);
    this.closeIfAnswered(this.server.phase as PhaseName);
  }

  dispose(reason?: unknown): void {
    this.disposed = true;
    clearTimeout(this.timer);
    clearTimeout(this.presenceTimer);
    const err = this.failure ?? reason ?? new AggregatorError('COLLECTION_CLOSED', `secure collection ${this.options.config.collectionId} closed`);
    for (const phase of this.waiters.values()) for (const waiter of phase.values()) waiter.reject(err);
    this.waiters.clear();
    for (const done of this.phaseDone.values()) done();
  }

  private expectPhase(phase: PhaseName, orgId: string): void {
    if (this.failure) throw this.failure;
    if (this.server.phase !== phase) {
      throw new AggregatorError('COLLECTION_CLOSED', `${orgId} sent a ${phase} message but secure collection ${this.options.config.collectionId} is in its ${this.server.phase} phase`);
    }
  }

  private wait<T>(phase: PhaseName, orgId: string, cancelled: Promise<void>): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      let phaseWaiters = this.waiters.get(phase);
      if (!phaseWaiters) this.waiters.set(phase, (phaseWaiters = new Map()));
      phaseWaiters.set(orgId, { resolve: resolve as (value: unknown) => void, reject });
    });
    // A participant that hangs up while waiting has gone: nobody waits for it any more.
    void cancelled.then(() => {
      if (this.waiters.get(phase)?.has(orgId)) {
        this.waiters.get(phase)?.delete(orgId);
        this.markGone(orgId, `disconnected during the ${phase} phase`);
      }
    });
    this.closeIfAnswered(phase);
    return promise;
  }

  /** Answers every participant waiting in `phase` with what the phase produced. */
  private answer(phase: PhaseName, value: (orgId: string) => unknown): void {
    const phaseWaiters = this.waiters.get(phase);
    this.waiters.delete(phase);
    for (const [orgId, waiter] of phaseWaiters ?? []) {
      try {
        waiter.resolve(value(orgId));
      } catch (err) {
        waiter.reject(err);
      }
    }
  }

  private closeIfAnswered(phase: PhaseName): void {
    if (this.server.phase === phase && this.server.waitingFor().length === 0) this.closePhase(phase);
  }

  /** Closes a key phase (advertise, share) or ends the wait of an unmasking phase. */
  private closePhase(phase: PhaseName): void {
    if (this.server.phase !== phase || this.disposed) return;
    clearTimeout(this.timer);
    try {
      if (phase === 'advertise') {
        const advertisements = this.server.closeAdvertise();
        this.answer('advertise', () => advertisements);
        this.armTimer('share');
      } else if (phase === 'share') {
        this.server.closeShareKeys();
        this.answer('share', (orgId) => this.server.sharesFor(orgId));
        // Those that did not share their keys cannot contribute: the collection stops waiting for them.
        const shared = new Set(this.server.waitingFor());
        for (const orgId of this.options.config.participants) {
          if (!shared.has(orgId) && !this.gone.has(orgId)) this.markGone(orgId, 'did not share its keys in time');
        }
        this.armPresenceCheck();
      } else {
        this.phaseDone.get(phase)?.();
      }
    } catch (err) {
      this.fail(phase, err);
    }
  }

  /**
   * Every participant that shared its keys opens ConsistencyCheck at once and
   * holds it while it trains. One that has not within a phase timeout (it
   * died before its call reached us) is not waited for until the deadline.
   */
  private armPresenceCheck(): void {
    this.presenceTimer = setTimeout(() => {
      const holding = this.waiters.get('masked-input') ?? new Map<string, Waiter>();
      for (const orgId of this.server.waitingFor()) {
        if (!holding.has(orgId)) this.markGone(orgId, 'did not wait for the survivor set after sharing its keys (disconnected)');
      }
    }, this.options.phaseTimeoutMs);
  }

  private fail(phase: PhaseName, err: unknown): void {
    this.failure = err;
    this.options.logger.warn({ phase, err: errorMessage(err) }, 'secure aggregation failed');
    for (const phaseWaiters of this.waiters.values()) for (const waiter of phaseWaiters.values()) waiter.reject(err);
    this.waiters.clear();
    // The collection cannot produce a sum now; stop waiting for masked inputs.
    for (const orgId of this.options.config.participants) this.options.onGone(orgId, `secure aggregation failed in the ${phase} phase`);
  }

  /** Runs one unmasking phase: opens it, waits until everyone answered or its timeout, then closes it. */
  private async runPhase(phase: 'consistency' | 'unmask', close: () => void): Promise<void> {
    await new Promise<void>((resolve) => {
      this.phaseDone.set(phase, resolve);
      this.armTimer(phase);
      this.closeIfAnswered(phase);
    });
    this.phaseDone.delete(phase);
    if (this.disposed) throw new AggregatorError('COLLECTION_CLOSED', `secure collection ${this.options.config.collectionId} closed during its ${phase} phase`);
    close();
  }

  private armTimer(phase: PhaseName): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.closePhase(phase), this.options.phaseTimeoutMs);
  }
}
