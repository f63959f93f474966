/**
 * The baseline: plain aggregation of the same cohort. A participant only
 * serialises its float32 update into the vector stream's header and chunks
 * (views of its bytes, nothing to compute); the aggregator adds each
 * survivor's weighted update into a float64 sum with PlainAggregation, as
 * the aggregator process does. The same participants drop.
 */
import { PlainAggregation } from '../aggregator';
import { vectorChunks, vectorHeader } from '../common/vector-codec';
import type { BenchOptions } from './bench-options';
import { plainUpdateBytes } from './message-bytes';
import type { ModeResult, Progress } from './mode-result';
import { meanPhases, Stopwatch } from './stopwatch';
import { chooseDropouts, orgIds, syntheticUpdate } from './synthetic-cohort';
import { untimedGc } from './untimed-gc';

export async function runPlainRound(options: BenchOptions, progress: Progress): Promise<ModeResult> {
  const started = performance.now();
  const say = (line: string): void => progress(`[plain] ${line}`);
  const orgs = orgIds(options.n);
  const gone = chooseDropouts(orgs, options.dropped, options.seed);
  const survivors = orgs.filter((org) => !gone.has(org));
  say(`${survivors.length} of ${options.n} participants send their update`);

  const aggregator = new Stopwatch();
  const aggregation = aggregator.measure('setup', () => new PlainAggregation(options.d));
  const clocks: Stopwatch[] = [];
  const sent: number[] = [];
  const every = Math.max(1, Math.floor(survivors.length / 10));
  for (const [i, org] of survivors.entries()) {
    untimedGc();
    // Not timed: the update exists before the round starts.
    const update = syntheticUpdate(options.seed, org, options.d);
    const clock = new Stopwatch();
    const message = clock.measure('encode', () => ({ header: vectorHeader(update.vector), chunks: [...vectorChunks(update.vector)] }));
    clocks.push(clock);
    sent.push(plainUpdateBytes(message.chunks));
    aggregator.measure('add-inputs', () => aggregation.add(org, update.examples, update.vector));
    if ((i + 1) % every === 0 || i + 1 === survivors.length) say(`adding ${i + 1}/${survivors.length}`);
  }
  const result = await aggregator.measureAsync('result', () => aggregation.result());
  if (result.contributors.length !== survivors.length) throw new Error(`plain aggregation holds ${result.contributors.length} contributors, expected ${survivors.length}`);

  const totals = clocks.map((clock) => clock.total());
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const aggregatorTotal = aggregator.total();
  return {
    mode: 'plain',
    participantSeconds: mean(totals.map((t) => t.cpuSeconds)),
    aggregatorSeconds: aggregatorTotal.cpuSeconds,
    bytesPerParticipant: mean(sent),
    participantWallSeconds: mean(totals.map((t) => t.wallSeconds)),
    aggregatorWallSeconds: aggregatorTotal.wallSeconds,
    slowestParticipantSeconds: Math.max(0, ...totals.map((t) => t.cpuSeconds)),
    degree: null,
    threshold: null,
    survivors: survivors.length,
    dropped: gone.size,
    participantPhases: Object.fromEntries(meanPhases(clocks)),
    participantMasks: null,
    participantMaskExpansion: null,
    aggregatorPhases: Object.fromEntries(aggregator.phases()),
    finish: null,
    bytesSent: { update: mean(sent) },
    verification: null,
    runWallSeconds: (performance.now() - started) / 1000,
  };
}
