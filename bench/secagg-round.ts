/**
 * One SecAgg or SecAgg+ round between one SecAggServer and n SecAggClients
 * in this process, no gRPC: every participant advertises keys and shares
 * them, the dropouts then vanish, and each survivor in turn encodes its
 * update, masks it and hands it to the server, which adds it into its sum
 * at once, so only one masked vector is alive at a time. Every call is
 * timed and charged to the party that makes it.
 */
import {
  compileSecAggConfig,
  createMaskExpander,
  decodeAggregate,
  encodeContribution,
  encodedLength,
  identityFromSeed,
  quantizationStep,
  SecAggClient,
  SecAggServer,
  type IdentityKeyPair,
  type IdentityRoster,
  type SecAggConfig,
} from '../common/secagg';
import { adversaryParameters } from '../common/secagg/adversary-parameters';
import { DEFAULT_COLLUSION_FRACTION } from '../common/secagg/collection-plan';
import type { BenchOptions } from './bench-options';
import {
  advertisementBytes,
  encryptedSharesBytes,
  maskedInputBytes,
  survivorSignatureBytes,
  unmaskResponseBytes,
} from './message-bytes';
import type { FinishProfile, ModeResult, Progress, Verification } from './mode-result';
import { addElapsed, meanPhases, noTime, scaleElapsed, Stopwatch, type Elapsed } from './stopwatch';
import { chooseDropouts, identitySeed, orgIds, seededBytes, seededUniform, syntheticUpdate, updateEncoding } from './synthetic-cohort';
import { TimedMaskExpander } from './timed-mask-expander';
import { untimedGc } from './untimed-gc';

/** One participant's side: its state machine, its clock and what it sent. */
interface Participant {
  org: string;
  client: SecAggClient;
  clock: Stopwatch;
  sent: Map<string, number>;
  masks: number;
  maskExpansion: Elapsed;
}

function record(sent: Map<string, number>, message: string, bytes: number): void {
  sent.set(message, (sent.get(message) ?? 0) + bytes);
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function toRecord(phases: Map<string, Elapsed>): Record<string, Elapsed> {
  return Object.fromEntries(phases);
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function meanSent(participants: readonly Participant[]): Record<string, number> {
  const sums = new Map<string, number>();
  for (const p of participants) for (const [message, bytes] of p.sent) sums.set(message, (sums.get(message) ?? 0) + bytes);
  return Object.fromEntries([...sums].map(([message, bytes]) => [message, bytes / Math.max(1, participants.length)]));
}

function sessionConfig(mode: 'secagg' | 'secagg+', options: BenchOptions, orgs: string[]): SecAggConfig {
  return compileSecAggConfig({
    jobId: 'bench',
    collectionId: `${mode}-round`,
    participants: orgs,
    elementCount: encodedLength(updateEncoding(options.n), options.d),
    // secagg: the complete graph at its default threshold; secagg+: --degree/--threshold, else what a job derives for γ = 0.1 and the bench's dropout.
    degree: mode === 'secagg' ? options.n - 1 : options.degree ?? derived(options).degree,
    threshold: mode === 'secagg' ? undefined : options.threshold ?? (options.degree === null ? derived(options).threshold : undefined),
  });
}

/** The degree and threshold a job with the default collusion fraction derives for this roster and dropout rate. */
function derived(options: BenchOptions): { degree: number; threshold: number } {
  return adversaryParameters({ participants: options.n, collusionFraction: DEFAULT_COLLUSION_FRACTION, dropoutRate: Math.min(0.49, options.dropout) });
}

/** Splits finish into mask expansion (self and pairwise, in proportion to their counts) and secret recovery. */
function finishProfile(finish: Elapsed, expansion: Elapsed, masks: number, survivors: number): FinishProfile {
  const selfShare = masks === 0 ? 0 : survivors / masks;
  return {
    selfMasks: survivors,
    pairwiseMasks: masks - survivors,
    maskExpansion: expansion,
    selfMaskExpansion: scaleElapsed(expansion, selfShare),
    pairwiseMaskExpansion: scaleElapsed(expansion, 1 - selfShare),
    recovery: { cpuSeconds: finish.cpuSeconds - expansion.cpuSeconds, wallSeconds: finish.wallSeconds - expansion.wallSeconds },
  };
}

/** The unmasked sum against the plain modular sum, and its decoding against the float64 weighted sum. */
function verify(sum: Uint32Array, expected: Uint32Array, floatSum: Float64Array, survivors: number, n: number): Verification {
  const encoding = updateEncoding(n);
  const decoded = decodeAggregate(encoding, sum, survivors);
  let decodeMaxError = 0;
  for (let k = 0; k < floatSum.length; k++) decodeMaxError = Math.max(decodeMaxError, Math.abs(decoded.weightedSum[k] - floatSum[k]));
  const step = quantizationStep({ clippingRange: encoding.clippingRange, maxParticipants: encoding.cohortSize });
  const decodeBound = survivors * step * encoding.maxWeight;
  return { sumVerified: sameWords(sum, expected), decodeMaxError, decodeBound, decodeWithinBound: decodeMaxError <= decodeBound };
}

export async function runSecAggRound(mode: 'secagg' | 'secagg+', options: BenchOptions, progress: Progress): Promise<ModeResult> {
  const started = performance.now();
  const say = (line: string): void => progress(`[${mode}] ${line}`);
  const orgs = orgIds(options.n);
  const gone = chooseDropouts(orgs, options.dropped, options.seed);
  const encoding = updateEncoding(options.n);
  const config = sessionConfig(mode, options, orgs);
  say(`setting up ${options.n} clients (degree ${config.degree}, threshold ${config.threshold}, ${gone.size} drop after sharing keys)`);

  const identities = new Map(orgs.map((org) => [org, identityFromSeed(org, identitySeed(options.seed, org))]));
  const roster: IdentityRoster = new Map(orgs.map((org) => [org, identities.get(org)?.publicKey as Uint8Array]));
  // Participants expand inline, as participant-agent/agent.ts does; the aggregator as --mask-workers says.
  const clientExpander = createMaskExpander(0);
  const expander = createMaskExpander(options.maskWorkers);
  const clientMasks = new TimedMaskExpander(clientExpander);
  const serverMasks = new TimedMaskExpander(expander);
  const aggregator = new Stopwatch();
  try {
    const server = aggregator.measure('setup', () => new SecAggServer({ config, roster, minSurvivors: 1, masks: serverMasks }));
    const participants = new Map<string, Participant>();
    for (const org of orgs) {
      const clock = new Stopwatch();
      const clientOptions = { config, identity: identities.get(org) as IdentityKeyPair, roster, randomBytes: seededBytes(`client/${options.seed}/${mode}/${org}`), masks: clientMasks };
      const client = clock.measure('advertise', () => new SecAggClient(clientOptions));
      participants.set(org, { org, client, clock, sent: new Map(), masks: 0, maskExpansion: noTime() });
    }
    const all = [...participants.values()];

    say('advertise keys');
    for (const p of all) {
      const ad = p.clock.measure('advertise', () => p.client.advertiseKeys());
      record(p.sent, 'advertisement', advertisementBytes(ad));
      aggregator.measure('advertise', () => server.receiveAdvertisement(ad));
    }
    const advertised = aggregator.measure('advertise', () => server.closeAdvertise());

    say('share keys');
    for (const p of all) {
      const shares = p.clock.measure('share', () => p.client.shareKeys(advertised));
      record(p.sent, 'encryptedShares', encryptedSharesBytes(shares));
      aggregator.measure('share', () => server.receiveShares(p.org, shares));
    }
    aggregator.measure('share', () => server.closeShareKeys());
    for (const org of gone) aggregator.measure('masked-input', () => server.markGone(org, 'dropped after sharing keys'));

    const survivingParticipants = all.filter((p) => !gone.has(p.org));
    const expected = new Uint32Array(config.elementCount);
    const floatSum = new Float64Array(options.d);
    const every = Math.max(1, Math.floor(survivingParticipants.length / 10));
    const maskingStarted = performance.now();
    for (const [i, p] of survivingParticipants.entries()) {
      untimedGc();
      // Not timed: the update exists before the round starts.
      const update = syntheticUpdate(options.seed, p.org, options.d);
      const random = seededUniform(`quantize/${options.seed}/${mode}/${p.org}`);
      const shares = aggregator.measure('relay-shares', () => server.sharesFor(p.org));
      const encoded = p.clock.measure('encode', () => encodeContribution(encoding, update.vector, update.examples, random));
      const masked = await p.clock.measureAsync('mask', () => p.client.maskInput(shares, encoded));
      const expansion = clientMasks.takeLast();
      p.masks = expansion.masks;
      p.maskExpansion = expansion.elapsed;
      record(p.sent, 'maskedInput', maskedInputBytes(masked));
      aggregator.measure('add-inputs', () => server.receiveMaskedInput(p.org, masked));
      // Not timed: the reference sums the result is checked against.
      for (let k = 0; k < expected.length; k++) expected[k] += encoded[k];
      for (let k = 0; k < floatSum.length; k++) floatSum[k] += update.examples * update.vector[k];
      if ((i + 1) % every === 0 || i + 1 === survivingParticipants.length) {
        say(`masking ${i + 1}/${survivingParticipants.length} (${((performance.now() - maskingStarted) / 1000).toFixed(1)} s)`);
      }
    }
    untimedGc();
    const survivors = aggregator.measure('masked-input', () => server.closeMaskedInput());

    say('consistency check');
    for (const org of survivors) {
      const p = participants.get(org) as Participant;
      const signature = p.clock.measure('sign', () => p.client.signSurvivors(survivors));
      record(p.sent, 'survivorSignature', survivorSignatureBytes(signature));
      aggregator.measure('consistency', () => server.receiveSurvivorSignature(signature));
    }
    const signatures = aggregator.measure('consistency', () => server.closeConsistency());

    say('unmasking');
    for (const org of survivors) {
      const p = participants.get(org) as Participant;
      const response = p.clock.measure('unmask', () => p.client.unmask(survivors, signatures));
      record(p.sent, 'revealedShares', unmaskResponseBytes(response));
      aggregator.measure('unmask', () => server.receiveUnmask(response));
    }
    say('finish: reconstructing secrets and removing masks');
    untimedGc();
    const sum = await aggregator.measureAsync('finish', () => server.finish());
    const finishExpansion = serverMasks.takeLast();
    const finish = finishProfile(aggregator.phases().get('finish') ?? noTime(), finishExpansion.elapsed, finishExpansion.masks, survivors.length);

    const verification = verify(sum, expected, floatSum, survivors.length, options.n);
    say(verification.sumVerified ? 'sum verified' : 'SUM MISMATCH: the unmasked sum differs from the sum of the encoded inputs');
    const totals = survivingParticipants.map((p) => p.clock.total());
    const aggregatorTotal = aggregator.total();
    return {
      mode,
      participantSeconds: meanOf(totals.map((t) => t.cpuSeconds)),
      aggregatorSeconds: aggregatorTotal.cpuSeconds,
      bytesPerParticipant: meanOf(survivingParticipants.map((p) => [...p.sent.values()].reduce((a, b) => a + b, 0))),
      participantWallSeconds: meanOf(totals.map((t) => t.wallSeconds)),
      aggregatorWallSeconds: aggregatorTotal.wallSeconds,
      slowestParticipantSeconds: Math.max(...totals.map((t) => t.cpuSeconds)),
      degree: config.degree,
      threshold: config.threshold,
      survivors: survivors.length,
      dropped: gone.size,
      participantPhases: toRecord(meanPhases(survivingParticipants.map((p) => p.clock))),
      participantMasks: meanOf(survivingParticipants.map((p) => p.masks)),
      participantMaskExpansion: scaleElapsed(
        survivingParticipants.reduce((total, p) => addElapsed(total, p.maskExpansion), noTime()),
        1 / survivingParticipants.length,
      ),
      aggregatorPhases: toRecord(aggregator.phases()),
      finish,
      bytesSent: meanSent(survivingParticipants),
      verification,
      runWallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await Promise.all([clientExpander.close(), expander.close()]);
  }
}
