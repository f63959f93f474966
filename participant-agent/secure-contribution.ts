/**
 * The participant's side of one secure collection over gRPC. `begin` runs
 * the key phases as soon as the task arrives (before training, while every
 * participant is online) and then holds the consistency call open, so the
 * aggregator notices at once if this agent dies while training. `submit`
 * encodes, masks and sends the contribution, then signs the survivor set and
 * reveals exactly the shares the protocol allows.
 */
import type { Logger } from 'pino';
import type { AggregatorClient } from '../aggregator';
import type { SecureCollectionSettings } from '../common/grpc/secagg-codec';
import { encodeContribution, type MaskExpander, SecAggClient, compileSecAggConfig, type EncryptedShare, type IdentityKeyPair } from '../common/secagg';
import { createStreamRng } from '../common/random';
import type { PhaseCaller } from '../proto/generated/shoal/v1/PhaseCaller';

export interface SecureContributionDeps {
  aggregator: AggregatorClient;
  identity: IdentityKeyPair;
  caller: PhaseCaller & { jobId: string; collectionId: string; orgId: string };
  settings: SecureCollectionSettings;
  /** The fewest survivors this organisation's input may be unmasked with: its own floor, not the aggregator's word. */
  minSurvivors: number;
  deadlineUnixMs: number;
  masks: MaskExpander;
  /**
   * Seeds the stochastic rounding of the encoding, so that the same update
   * encodes the same way when a round is run again (a restarted coordinator,
   * a retried collection) and the job's model is reproducible. Without it,
   * rounding draws from Math.random.
   */
  roundingSeed?: string;
  logger: Logger;
  /**
   * Called once the input is masked and before a byte of it leaves; a throw
   * stops the send. The agent records the contribution durably here, so a
   * retried collection of the same round never gets a second masked input.
   */
  beforeMaskedInputSent: () => void;
  /** Called after each step this participant completed (for progress logs, and for fault-injection tests). */
  onPhase?: (phase: SecureContributionPhase) => void;
}

export type SecureContributionPhase = 'keys-advertised' | 'keys-shared' | 'input-sent' | 'survivors-signed' | 'shares-revealed';

/** Slack on top of a phase's own timeout for the answer to travel back. */
const CALL_MARGIN_MS = 30_000;

export class SecureContribution {
  private readonly hangUp = new AbortController();
  private survivors: Promise<string[]> = Promise.resolve([]);

  private constructor(
    private readonly deps: SecureContributionDeps,
    private readonly client: SecAggClient,
    private readonly sharesForMe: EncryptedShare[],
  ) {}

  /** AdvertiseKeys and ShareKeys; resolves once this participant holds its peers' shares. */
  static async begin(deps: SecureContributionDeps): Promise<SecureContribution> {
    const { aggregator, settings, caller } = deps;
    const cohort = [...settings.identityKeys.keys()];
    const config = compileSecAggConfig({ jobId: caller.jobId, collectionId: caller.collectionId, participants: cohort, elementCount: settings.encodedElementCount, threshold: settings.threshold, degree: settings.degree });
    // The roster comes from the coordinator (in the task), never from the aggregator being guarded against.
    const client = new SecAggClient({ config, identity: deps.identity, roster: settings.identityKeys, masks: deps.masks, minSurvivors: deps.minSurvivors });
    const keyPhaseMs = 2 * settings.phaseTimeoutMs + CALL_MARGIN_MS;
    const advertisements = await aggregator.advertiseKeys(caller, client.advertiseKeys(), keyPhaseMs);
    deps.onPhase?.('keys-advertised');
    const sharesForMe = await aggregator.shareKeys(caller, client.shareKeys(advertisements), keyPhaseMs);
    deps.logger.debug({ peers: advertisements.length }, 'secure aggregation keys exchanged');
    const contribution = new SecureContribution(deps, client, sharesForMe);
    contribution.survivors = contribution.waitForSurvivors();
    deps.onPhase?.('keys-shared');
    return contribution;
  }

  private waitForSurvivors(): Promise<string[]> {
    const waitMs = Math.max(0, this.deps.deadlineUnixMs - Date.now()) + this.deps.settings.phaseTimeoutMs + CALL_MARGIN_MS;
    const survivors = this.deps.aggregator.consistencyCheck(this.deps.caller, waitMs, this.hangUp.signal);
    // Observed later by submit(); an abandoned contribution never reads it.
    survivors.catch(() => undefined);
    return survivors;
  }

  /** Encodes, masks and sends the contribution, then takes part in the unmasking. */
  async submit(vector: Float32Array | Float64Array, weight: number): Promise<void> {
    const { aggregator, settings, caller, logger } = this.deps;
    const random = this.deps.roundingSeed === undefined ? Math.random : createStreamRng(this.deps.roundingSeed);
    const encoded = encodeContribution(settings.encoding, vector, weight, random);
    const masked = await this.client.maskInput(this.sharesForMe, encoded);
    this.deps.beforeMaskedInputSent();
    const timeoutMs = Math.max(5_000, this.deps.deadlineUnixMs - Date.now() + 5_000);
    await aggregator.submit({ jobId: caller.jobId, orgId: caller.orgId, collectionId: caller.collectionId, weight: 1, vector: masked }, timeoutMs);
    this.deps.onPhase?.('input-sent');
    const survivors = await this.survivors;
    const phaseMs = settings.phaseTimeoutMs + CALL_MARGIN_MS;
    const signatures = await aggregator.signSurvivors(caller, this.client.signSurvivors(survivors), phaseMs);
    this.deps.onPhase?.('survivors-signed');
    await aggregator.unmask(caller, this.client.unmask(survivors, signatures), phaseMs);
    this.deps.onPhase?.('shares-revealed');
    logger.debug({ survivors: survivors.length }, 'secure aggregation unmasking answered');
  }

  /** This participant will not contribute: hang up, so the aggregator stops waiting for it. */
  abandon(): void {
    this.hangUp.abort();
  }
}
