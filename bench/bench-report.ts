/**
 * The benchmark's outputs: the JSON report (the fields first, then
 * the breakdowns and the machine), the table on stdout, and the issue's
 * targets for SecAgg+ at n = 100, d = 10^6, 10% dropout on one core.
 */
import { cpus, loadavg, platform, totalmem } from 'node:os';
import type { BenchOptions } from './bench-options';
import { plainUpdateBytesFor } from './message-bytes';
import type { ModeResult } from './mode-result';
import type { Elapsed } from './stopwatch';
import { gcAvailable } from './untimed-gc';

export const TARGETS = {
  aggregatorSeconds: 0.6,
  participantSeconds: 0.4,
  /** Of the plain update's bytes. */
  bytesRatio: 1.1,
  settings: { n: 100, d: 1_000_000, dropout: 0.1, maskWorkers: 1 },
} as const;

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  totalMemoryGiB: number;
  /** 1, 5 and 15 minute load averages when the benchmark started and ended: other work on the host skews wall times. */
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
}

export function machineInfo(loadAverageAtStart: number[]): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    node: process.version,
    platform: platform(),
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg(),
  };
}

export interface TargetCheck {
  limit: number;
  measured: number;
  met: boolean;
}

export interface TargetReport {
  mode: 'secagg+';
  /** The run used the settings the targets are stated for; otherwise the checks are for reference only. */
  settingsMatch: boolean;
  aggregatorSeconds: TargetCheck;
  participantSeconds: TargetCheck;
  bytesPerParticipant: TargetCheck;
}

function check(measured: number, limit: number): TargetCheck {
  return { limit, measured, met: measured <= limit };
}

export function targetReport(options: BenchOptions, results: readonly ModeResult[]): TargetReport | null {
  const plus = results.find((result) => result.mode === 'secagg+');
  if (plus === undefined) return null;
  const wanted = TARGETS.settings;
  return {
    mode: 'secagg+',
    settingsMatch: options.n === wanted.n && options.d === wanted.d && options.dropout === wanted.dropout && options.maskWorkers <= 1,
    aggregatorSeconds: check(plus.aggregatorSeconds, TARGETS.aggregatorSeconds),
    participantSeconds: check(plus.participantSeconds, TARGETS.participantSeconds),
    bytesPerParticipant: check(plus.bytesPerParticipant, TARGETS.bytesRatio * plainUpdateBytesFor(options.d)),
  };
}

export function benchJson(options: BenchOptions, results: readonly ModeResult[], machine: MachineInfo): Record<string, unknown> {
  return {
    n: options.n,
    d: options.d,
    dropout: options.dropout,
    results: results.map((result) => ({ ...result, bytesRatioToPlain: result.bytesPerParticipant / plainUpdateBytesFor(options.d) })),
    dropped: options.dropped,
    maskWorkers: options.maskWorkers,
    seed: options.seed,
    timeIs: 'CPU seconds of this process (user + system); *WallSeconds fields give wall-clock time',
    /** Whether garbage was collected between parties' turns, untimed (see untimed-gc.ts). */
    gcBetweenParties: gcAvailable(),
    plainUpdateBytes: plainUpdateBytesFor(options.d),
    targets: targetReport(options, results),
    machine,
  };
}

function seconds(value: number): string {
  return value.toFixed(3);
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
}

function phaseList(phases: Record<string, Elapsed>): string {
  return Object.entries(phases)
    .map(([phase, elapsed]) => `${phase} ${seconds(elapsed.cpuSeconds)}`)
    .join(', ');
}

function detailLines(result: ModeResult): string[] {
  const lines = [`${result.mode}: participant (mean of ${result.survivors} survivors, CPU s): ${phaseList(result.participantPhases)}`];
  if (result.participantMaskExpansion !== null && result.participantMasks !== null) {
    lines.push(`${result.mode}:   of mask, expanding ${result.participantMasks.toFixed(1)} masks: ${seconds(result.participantMaskExpansion.cpuSeconds)}`);
  }
  lines.push(`${result.mode}: aggregator (CPU s): ${phaseList(result.aggregatorPhases)}`);
  if (result.finish !== null) {
    const f = result.finish;
    lines.push(
      `${result.mode}:   of finish: ${f.selfMasks} self masks ${seconds(f.selfMaskExpansion.cpuSeconds)}, ${f.pairwiseMasks} pairwise masks ${seconds(f.pairwiseMaskExpansion.cpuSeconds)}, ` +
        `secret recovery (Shamir, X25519, HKDF) ${seconds(f.recovery.cpuSeconds)}`,
    );
  }
  const bytes = Object.entries(result.bytesSent).map(([message, count]) => `${message} ${Math.round(count)}`);
  lines.push(`${result.mode}: bytes sent per survivor: ${bytes.join(', ')}`);
  if (result.verification !== null) {
    const v = result.verification;
    lines.push(
      `${result.mode}: ${v.sumVerified ? 'sum verified' : 'SUM MISMATCH'} (unmasked sum vs sum of ${result.survivors} encoded inputs mod 2^32); ` +
        `decoded weighted sum within ${v.decodeMaxError.toExponential(2)} of float64 (bound ${v.decodeBound.toExponential(2)}${v.decodeWithinBound ? '' : ', EXCEEDED'})`,
    );
  }
  return lines;
}

function targetLines(report: TargetReport | null, plainBytes: number): string[] {
  if (report === null) return [];
  const mark = (c: TargetCheck): string => (c.met ? 'met' : 'MISSED');
  const note = report.settingsMatch ? '' : ' (these settings differ from n = 100, d = 10^6, dropout 0.1, one core: for reference only)';
  return [
    `targets, secagg+${note}:`,
    `  aggregator   ${seconds(report.aggregatorSeconds.measured)} s <= ${report.aggregatorSeconds.limit} s: ${mark(report.aggregatorSeconds)}`,
    `  participant  ${seconds(report.participantSeconds.measured)} s <= ${report.participantSeconds.limit} s: ${mark(report.participantSeconds)}`,
    `  bytes        ${Math.round(report.bytesPerParticipant.measured)} <= ${TARGETS.bytesRatio} x ${plainBytes} = ${Math.round(report.bytesPerParticipant.limit)}: ${mark(report.bytesPerParticipant)}`,
  ];
}

/** The table, the per-phase breakdown, verification and targets, for stdout. */
export function formatReport(options: BenchOptions, results: readonly ModeResult[], machine: MachineInfo): string {
  const plainBytes = plainUpdateBytesFor(options.d);
  const header = ['mode', 'degree', 't', 'survivors', 'participant s', '(wall)', 'aggregator s', '(wall)', 'bytes/participant', 'x plain'];
  const rows = results.map((r) => [
    r.mode,
    r.degree === null ? '-' : String(r.degree),
    r.threshold === null ? '-' : String(r.threshold),
    `${r.survivors}/${r.survivors + r.dropped}`,
    seconds(r.participantSeconds),
    seconds(r.participantWallSeconds),
    seconds(r.aggregatorSeconds),
    seconds(r.aggregatorWallSeconds),
    String(Math.round(r.bytesPerParticipant)),
    (r.bytesPerParticipant / plainBytes).toFixed(4),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const load = (values: number[]): string => values.map((value) => value.toFixed(2)).join(' ');
  return [
    `secure aggregation, n = ${options.n}, d = ${options.d}, dropout ${options.dropout} (${options.dropped} drop after sharing keys), ` +
      `aggregator mask workers ${options.maskWorkers === 0 ? '0 (inline, one core)' : options.maskWorkers === 1 ? '1 (one worker thread, one core)' : options.maskWorkers}, seed ${options.seed}`,
    `${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; load average ${load(machine.loadAverageAtStart)} at start, ${load(machine.loadAverageAtEnd)} at end`,
    'times are CPU seconds (wall-clock in brackets); participant = mean over survivors; bytes = payload fields sent (see bench/README.md)',
    '',
    pad(header, widths),
    ...rows.map((row) => pad(row, widths)),
    '',
    ...results.flatMap(detailLines),
    '',
    ...targetLines(targetReport(options, results), plainBytes),
  ].join('\n');
}
