/**
 * The outputs of `npm run bench`: the targets checked against the
 * measured values (reported, never enforced), the table on stdout and the
 * JSON report.
 */
import type { MachineInfo } from './bench-report';
import type { OverheadResult, SkippedResult } from './overhead-metrics';
import type { RoundBenchOptions } from './round-bench-options';
import type { SimulateSkipped, SimulateTiming } from './simulate-timing';

export type ConfigResult = OverheadResult | SkippedResult;

export interface RoundTarget {
  name: string;
  n: number;
  d: number;
  mode: 'plain' | 'secure';
  metric: 'fitSeconds' | 'combinedPeakMB';
  limit: number;
  unit: 's' | 'MB';
  /** null: that configuration was not measured in this run. */
  measured: number | null;
  met: boolean | null;
}

const TARGETS: Array<Omit<RoundTarget, 'measured' | 'met'>> = [
  { name: 'plain round, n=10, d=10^6', n: 10, d: 1e6, mode: 'plain', metric: 'fitSeconds', limit: 0.1, unit: 's' },
  { name: 'plain round, n=30, d=10^6', n: 30, d: 1e6, mode: 'plain', metric: 'fitSeconds', limit: 0.5, unit: 's' },
  { name: 'secure round, n=10, d=10^6', n: 10, d: 1e6, mode: 'secure', metric: 'fitSeconds', limit: 0.3, unit: 's' },
  { name: 'coordinator + aggregator peak, n=30, d=10^6 (plain)', n: 30, d: 1e6, mode: 'plain', metric: 'combinedPeakMB', limit: 150, unit: 'MB' },
];
/** The aggregator's peak above its baseline, in model sizes, for every measured configuration. */
export const AGGREGATOR_PEAK_LIMIT = 3;

function measured(results: readonly ConfigResult[], n: number, d: number, mode: string): OverheadResult | undefined {
  return results.find((r): r is OverheadResult => r.status === 'measured' && r.n === n && r.d === d && r.mode === mode);
}

export function roundTargets(results: readonly ConfigResult[]): RoundTarget[] {
  return TARGETS.map((target) => {
    const result = measured(results, target.n, target.d, target.mode);
    const value = result === undefined ? null : target.metric === 'fitSeconds' ? result.fitSeconds : result.memory.combinedPeakMB;
    return { ...target, measured: value, met: value === null ? null : value <= target.limit };
  });
}

const verdict = (met: boolean | null): string => (met === null ? 'not run' : met ? 'pass' : 'MISS');
const fixed = (value: number | null | undefined, digits: number): string => (value === null || value === undefined ? '–' : value.toFixed(digits));

export function formatRoundReport(results: readonly ConfigResult[], simulate: SimulateTiming | SimulateSkipped | null, machine: MachineInfo): string {
  const lines: string[] = [];
  lines.push(`Round overhead without training (${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGiB} GiB, Node ${machine.node})`);
  lines.push('');
  lines.push('| mode   |   n |        d | fit round s | full round s | last update s | broadcast MB/s | coord peak MB | aggr peak MB | aggr Δpeak / model |');
  lines.push('|--------|----:|---------:|------------:|-------------:|--------------:|---------------:|--------------:|-------------:|-------------------:|');
  for (const r of results) {
    const head = `| ${r.mode.padEnd(6)} | ${String(r.n).padStart(3)} | ${r.d.toExponential(0).padStart(8)} |`;
    if (r.status !== 'measured') {
      lines.push(`${head} ${r.status}: ${r.reason} |`);
      continue;
    }
    const m = r.memory;
    lines.push(
      `${head} ${fixed(r.fitSeconds, 3).padStart(11)} | ${fixed(r.roundSeconds, 3).padStart(12)} | ${fixed(r.lastUpdateSeconds, 3).padStart(13)} | ${String(r.broadcast.throughputMBps).padStart(14)} | ${fixed(m.coordinator.peakMB, 0).padStart(13)} | ${fixed(m.aggregator.peakMB, 0).padStart(12)} | ${fixed(m.aggregatorPeakOverModel, 2).padStart(18)} |`,
    );
  }
  lines.push('');
  lines.push('Targets (reported, not enforced):');
  for (const t of roundTargets(results)) lines.push(`  ${t.name}: ${t.metric} ${fixed(t.measured, t.unit === 's' ? 3 : 0)} ${t.unit} (target ≤ ${t.limit} ${t.unit}) ${verdict(t.met)}`);
  const overModel = results.filter((r): r is OverheadResult => r.status === 'measured' && r.memory.aggregatorPeakOverModel !== null);
  const worst = overModel.reduce<OverheadResult | undefined>((a, b) => (a && (a.memory.aggregatorPeakOverModel ?? 0) >= (b.memory.aggregatorPeakOverModel ?? 0) ? a : b), undefined);
  if (worst) lines.push(`  aggregator peak beyond baseline < ${AGGREGATOR_PEAK_LIMIT} × model: worst ${fixed(worst.memory.aggregatorPeakOverModel, 2)} × (${worst.mode}, n=${worst.n}, d=${worst.d.toExponential(0)}) ${verdict((worst.memory.aggregatorPeakOverModel ?? 0) < AGGREGATOR_PEAK_LIMIT)}`);
  if (simulate) {
    lines.push('');
    if (simulate.status === 'measured') {
      lines.push(`shoal simulate (${simulate.orgs} orgs, ${simulate.rounds} rounds, ${simulate.sandbox} sandbox): first round after ${simulate.timeToFirstRoundSeconds.toFixed(1)} s, total ${simulate.totalWallSeconds.toFixed(1)} s (federated ${simulate.federatedSeconds.toFixed(1)} s, centralized baseline ${simulate.centralizedSeconds.toFixed(1)} s)`);
    } else {
      lines.push(`shoal simulate: ${simulate.status}: ${simulate.reason}`);
    }
  }
  lines.push('');
  lines.push(`load average at start ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${machine.loadAverageAtEnd.map((l) => l.toFixed(2)).join(' ')}`);
  return lines.join('\n');
}

export function roundBenchJson(options: RoundBenchOptions, results: readonly ConfigResult[], simulate: SimulateTiming | SimulateSkipped | null, machine: MachineInfo, startedAt: Date, command: string): Record<string, unknown> {
  const overModel = results.filter((r): r is OverheadResult => r.status === 'measured').map((r) => ({ mode: r.mode, n: r.n, d: r.d, measured: r.memory.aggregatorPeakOverModel, met: r.memory.aggregatorPeakOverModel === null ? null : r.memory.aggregatorPeakOverModel < AGGREGATOR_PEAK_LIMIT }));
  return {
    command,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: { ns: options.ns, ds: options.ds, modes: options.modes, warmupRounds: options.warmup, measuredRounds: options.rounds, quick: options.quick },
    definitions: {
      fitSeconds: "from the aggregator opening a round's fit collection until it opens that round's evaluation collection: tasks and model sent, updates streamed and summed, the sum streamed back, the server step and the checkpoint write (aggregator log times)",
      roundSeconds: "the coordinator's report.json perRound[].seconds: the fit collection, the server step, the checkpoint and the evaluation collection (statistics are off: preprocessing.normalize false)",
      lastUpdateSeconds: 'from the fit collection opening until the aggregator accepted the last update',
      broadcast: 'n × model bytes / (from the fit collection opening until the last participant held the whole model); MB = 10^6 bytes',
      memory: 'VmHWM (peak resident set) of each process from /proc/<pid>/status, sampled every 50 ms; baseline: VmRSS once the process was ready, before the job; aggregatorPeakOverModel: (peak − baseline) / (4·d bytes)',
      participants: 'separate processes on loopback that join and take tasks like the agent but answer without training (bench/overhead-participant.ts); participantsPerProcess says whether several shared a process',
    },
    targets: { rounds: roundTargets(results), aggregatorPeakOverModel: { limit: AGGREGATOR_PEAK_LIMIT, results: overModel } },
    results,
    simulate,
    machine,
  };
}
