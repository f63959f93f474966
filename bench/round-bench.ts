#!/usr/bin/env node
/**
 * `npm run bench -- --out DIR [--quick] [--n 10,30] [--d 1e5,1e6] [--modes plain,secure]`
 *
 * Round overhead without training: for every n × d × mode it runs a real job
 * (compiled coordinator and aggregator with mTLS, a TLS nats-server, n
 * participant processes that answer without training) and reports the fit
 * round and full round times, the model broadcast throughput and the peak
 * memory of the coordinator and the aggregator. Then it times
 * `shoal simulate`. Writes DIR/latest.json and DIR/latest.svg, prints the
 * table on stdout and progress on stderr. A benchmark, not a test: targets
 * are reported, never enforced. Exit codes: 0 done (even with targets
 * missed or configurations skipped); 1 the benchmark itself failed; 2
 * invalid flags.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { errorMessage, hasCode } from '../common/errors';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { defaultDegree } from '../common/secagg';
import { machineInfo } from './bench-report';
import { createBenchFederation } from './bench-federation';
import { runOverheadJob, type OverheadConfig } from './overhead-job';
import { overheadResult, type OverheadResult } from './overhead-metrics';
import { parseBenchFlags } from './parse-flags';
import { compileRoundBenchOptions, MAX_COHORT_BYTES, MAX_SECURE_MASK_WORDS, type RoundBenchOptions, type RoundBenchOptionsInput } from './round-bench-options';
import { formatRoundReport, roundBenchJson, type ConfigResult } from './round-bench-report';
import { timeSimulate } from './simulate-timing';
import { renderLogChart, type ChartSeries } from './svg-chart';

function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

/** Why a configuration is not run on a machine like this one, or null to run it. */
function skipReason(n: number, d: number, mode: OverheadConfig['mode']): string | null {
  const cohortBytes = n * 4 * d;
  if (cohortBytes > MAX_COHORT_BYTES) {
    return `n · 4d = ${(cohortBytes / 1e9).toFixed(1)} GB of models held and sent per round by ${n} participant processes exceeds the ${MAX_COHORT_BYTES / 1e9} GB this benchmark allows (memory and the ~15 minute budget)`;
  }
  const maskWords = n * (Math.min(n - 1, defaultDegree(n)) + 1) * d;
  if (mode === 'secure' && maskWords > MAX_SECURE_MASK_WORDS) {
    return `secure aggregation would expand ${(maskWords / 1e9).toFixed(1)} × 10^9 mask words per round (n × (degree + 1) × d), beyond the ${MAX_SECURE_MASK_WORDS / 1e9} × 10^9 this benchmark allows in its time budget`;
  }
  return null;
}

/** Milliseconds a configuration may take before it is given up as failed (a guard, not a measurement). */
function timeoutFor(n: number, d: number, rounds: number): number {
  return Math.max(120_000, 60_000 + rounds * n * d * 1e-3);
}

async function runConfigurations(options: RoundBenchOptions, scratch: string): Promise<ConfigResult[]> {
  const federation = await createBenchFederation(scratch);
  const results: ConfigResult[] = [];
  try {
    for (const mode of options.modes) {
      for (const d of options.ds) {
        for (const n of options.ns) {
          const skip = skipReason(n, d, mode);
          if (skip) {
            progress(`${mode} n=${n} d=${d}: skipped (${skip})`);
            results.push({ n, d, mode, status: 'skipped', reason: skip });
            continue;
          }
          const rounds = options.warmup + options.rounds;
          const config: OverheadConfig = { n, d, mode, rounds, participantsPerProcess: 1, timeoutMs: timeoutFor(n, d, rounds) };
          progress(`${mode} n=${n} d=${d}: ${rounds} rounds (${options.warmup} warm-up)`);
          try {
            const run = await runOverheadJob(federation, scratch, config, progress);
            const result = overheadResult(config, run, options.warmup);
            progress(`  fit round ${result.fitSeconds.toFixed(3)} s, full round ${result.roundSeconds.toFixed(3)} s, broadcast ${result.broadcast.throughputMBps} MB/s, peaks coordinator ${result.memory.coordinator.peakMB?.toFixed(0)} MB, aggregator ${result.memory.aggregator.peakMB?.toFixed(0)} MB`);
            results.push(result);
          } catch (err) {
            progress(`  failed: ${errorMessage(err)}`);
            results.push({ n, d, mode, status: 'failed', reason: errorMessage(err) });
          }
        }
      }
    }
  } finally {
    await federation.stop();
  }
  return results;
}

const COLORS: Record<number, string> = { 10: '#1f77b4', 30: '#ff7f0e', 100: '#2ca02c' };
const EXTRA_COLORS = ['#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function chartOf(results: readonly ConfigResult[]): string {
  const measured = results.filter((r): r is OverheadResult => r.status === 'measured');
  const series: ChartSeries[] = [];
  for (const mode of ['plain', 'secure'] as const) {
    const ns = [...new Set(measured.filter((r) => r.mode === mode).map((r) => r.n))].sort((a, b) => a - b);
    ns.forEach((n, i) => {
      series.push({
        label: `${mode}, n = ${n}`,
        color: COLORS[n] ?? EXTRA_COLORS[i % EXTRA_COLORS.length],
        dashed: mode === 'secure',
        points: measured.filter((r) => r.mode === mode && r.n === n).map((r) => ({ x: r.parameters, y: r.fitSeconds })),
      });
    });
  }
  return renderLogChart({
    title: 'Fit round without training (coordinator + aggregator, loopback)',
    xLabel: 'model parameters d',
    yLabel: 'fit round seconds',
    series,
    references: [{ y: 0.1, label: 'target 0.1 s (plain, n=10, d=1e6)' }, { y: 0.5, label: 'target 0.5 s (plain, n=30, d=1e6)' }],
  });
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('bench')
    .description('round overhead without training, model broadcast, peak memory and shoal simulate timings, with the real coordinator and aggregator')
    .requiredOption('--out <dir>', 'write latest.json and latest.svg into this folder')
    .option('--quick', 'only n = 10, 30 and d = 1e5, 1e6')
    .option('--n <list>', 'participants, comma-separated (default 10,30,100)')
    .option('--d <list>', 'model parameters, comma-separated (default 100000,1000000,10000000)')
    .option('--modes <list>', 'plain, secure or both (default both)')
    .option('--rounds <n>', 'measured rounds per configuration (default 3)', wholeNumberFlag)
    .option('--warmup <n>', 'warm-up rounds first (default 1)', wholeNumberFlag)
    .option('--no-simulate', 'do not time shoal simulate');
  // Lists like "1e5,1e6" are read as numbers here, so they pass as text.
  const stop = parseBenchFlags(program, argv);
  if (stop !== null) return stop;
  const raw = program.opts<RoundBenchOptionsInput & { d?: string }>();
  const input = { ...raw, d: raw.d?.split(',').map((v) => String(Number(v.trim()))).join(',') };
  const options = compileRoundBenchOptions(input);
  const startedAt = new Date();
  const loadAtStart = loadavg();
  mkdirSync(options.out, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'shoal-bench-'));
  try {
    const results = await runConfigurations(options, scratch);
    let simulate = null;
    if (options.simulate) {
      progress('shoal simulate --sandbox process');
      simulate = await timeSimulate(join(scratch, 'simulate'), 10 * 60_000);
      progress(simulate.status === 'measured' ? `  first round after ${simulate.timeToFirstRoundSeconds.toFixed(1)} s, total ${simulate.totalWallSeconds.toFixed(1)} s` : `  ${simulate.status}: ${simulate.reason}`);
    }
    const machine = machineInfo(loadAtStart);
    process.stdout.write(`${formatRoundReport(results, simulate, machine)}\n`);
    const command = `npm run bench -- ${argv.slice(2).join(' ')}`;
    writeFileSync(join(options.out, 'latest.json'), `${JSON.stringify(roundBenchJson(options, results, simulate, machine, startedAt, command), null, 2)}\n`);
    writeFileSync(join(options.out, 'latest.svg'), `${chartOf(results)}\n`);
    progress(`wrote ${join(options.out, 'latest.json')} and ${join(options.out, 'latest.svg')}`);
    return EXIT_CODES.ok;
  } finally {
    // SHOAL_BENCH_KEEP=1 keeps the jobs' folders (specs, logs, reports) for a look afterwards.
    if (process.env.SHOAL_BENCH_KEEP === '1') progress(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv)
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`bench: ${errorMessage(err)}\n`);
      process.exitCode = hasCode(err, 'CONFIG_INVALID') ? EXIT_CODES.config : EXIT_CODES.internal;
    });
}
