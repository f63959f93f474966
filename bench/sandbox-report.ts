/**
 * The sandbox benchmark's outputs: per sandbox and task kind, the wall
 * seconds from start() until wait() resolved; the overhead of the Docker
 * sandbox (median minus median); the JSON report (the field first)
 * and the table on stdout.
 */
import type { MachineInfo } from './bench-report';
import { OVERHEAD_TARGET_SECONDS, type SandboxBenchOptions } from './sandbox-bench-options';
import type { BenchTaskKind } from './sandbox-workload';

export type SandboxMode = 'process' | 'docker';

/** One timed run of the trainer. */
export interface RunSample {
  mode: SandboxMode;
  kind: BenchTaskKind;
  round: number;
  /** From start() until wait() resolved: what a round of the agent waits for. */
  wallSeconds: number;
  /** What the trainer itself measured (result.json's `seconds`): loading the data and the task's work. */
  trainerSeconds: number;
  backend: string;
}

export interface Summary {
  samples: number;
  mean: number;
  median: number;
  min: number;
  max: number;
}

export interface ModeTimes {
  wallSeconds: Summary;
  trainerSeconds: Summary;
  backend: string;
}

export interface KindComparison {
  process: ModeTimes;
  docker: ModeTimes;
  /** median(docker wall) − median(process wall). */
  overheadSeconds: number;
}

export interface DockerDetails {
  image: string;
  imageId: string;
  /** Whether the image holds the trainer as this checkout builds it; false: it was built from other sources. */
  imageCurrent: boolean;
  engineVersion: string;
  limits: { memoryMiB: number; cpus: number; pids: number; outputMiB: number };
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { samples: sorted.length, mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1] };
}

function modeTimes(samples: readonly RunSample[]): ModeTimes {
  return {
    wallSeconds: summarize(samples.map((s) => s.wallSeconds)),
    trainerSeconds: summarize(samples.map((s) => s.trainerSeconds)),
    backend: [...new Set(samples.map((s) => s.backend))].join(','),
  };
}

export function compare(samples: readonly RunSample[], kind: BenchTaskKind): KindComparison {
  const of = (mode: SandboxMode): ModeTimes => modeTimes(samples.filter((s) => s.kind === kind && s.mode === mode));
  const process = of('process');
  const docker = of('docker');
  return { process, docker, overheadSeconds: docker.wallSeconds.median - process.wallSeconds.median };
}

export interface SandboxBenchResult {
  fit: KindComparison;
  statistics: KindComparison;
  samples: RunSample[];
  docker: DockerDetails;
}

export function sandboxBenchJson(options: SandboxBenchOptions, result: SandboxBenchResult, workload: { jobId: string; rows: number; localEpochs: number; batchSize: number }, machine: MachineInfo): Record<string, unknown> {
  const overhead = result.fit.overheadSeconds;
  return {
    overheadSecondsPerRound: overhead,
    target: { limitSeconds: OVERHEAD_TARGET_SECONDS, measured: overhead, met: overhead <= OVERHEAD_TARGET_SECONDS },
    task: 'fit',
    job: workload.jobId,
    rows: workload.rows,
    localEpochs: workload.localEpochs,
    batchSize: workload.batchSize,
    rounds: options.rounds,
    warmupRounds: options.warmup,
    timeIs: 'wall-clock seconds from Sandbox.start() until SandboxRun.wait() resolved; trainerSeconds: what the trainer measured inside',
    fit: result.fit,
    statistics: result.statistics,
    statisticsOverheadSeconds: result.statistics.overheadSeconds,
    docker: result.docker,
    samples: result.samples,
    machine,
  };
}

function s(value: number): string {
  return value.toFixed(3);
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
}

/** The table and the target, for stdout. */
export function formatSandboxReport(options: SandboxBenchOptions, result: SandboxBenchResult, workload: { rows: number; localEpochs: number; batchSize: number }, machine: MachineInfo): string {
  const header = ['task', 'sandbox', 'median s', 'mean s', 'min s', 'max s', 'trainer median s', 'backend'];
  const rows: string[][] = [];
  for (const kind of ['fit', 'statistics'] as const) {
    for (const mode of ['process', 'docker'] as const) {
      const times = result[kind][mode];
      const wall = times.wallSeconds;
      rows.push([kind, mode, s(wall.median), s(wall.mean), s(wall.min), s(wall.max), s(times.trainerSeconds.median), times.backend]);
    }
  }
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const load = (values: number[]): string => values.map((value) => value.toFixed(2)).join(' ');
  const d = result.docker;
  const overhead = result.fit.overheadSeconds;
  return [
    `sandbox overhead, credit-default: ${workload.rows} rows, fit with ${workload.localEpochs} local epochs at batch ${workload.batchSize}; ` +
      `${options.rounds} timed rounds (+${options.warmup} warm-up) alternating the process and Docker sandboxes`,
    `docker: ${d.image} (${d.imageId.slice(0, 19)}${d.imageCurrent ? '' : ', NOT built from this checkout'}), engine ${d.engineVersion}, ` +
      `limits ${d.limits.cpus} CPU, ${d.limits.memoryMiB} MiB, ${d.limits.pids} pids; the process sandbox has no limits`,
    `${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; load average ${load(machine.loadAverageAtStart)} at start, ${load(machine.loadAverageAtEnd)} at end`,
    'wall-clock seconds from start() until wait() resolved; trainer = the time the trainer measured inside',
    '',
    pad(header, widths),
    ...rows.map((row) => pad(row, widths)),
    '',
    `statistics overhead: ${s(result.statistics.overheadSeconds)} s per task (median docker − median process)`,
    `overhead per round (fit): ${s(overhead)} s <= ${OVERHEAD_TARGET_SECONDS} s: ${overhead <= OVERHEAD_TARGET_SECONDS ? 'met' : 'MISSED'}`,
  ].join('\n');
}
