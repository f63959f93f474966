#!/usr/bin/env node
/**
 * `npm run bench:secagg -- --n 100 --d 1000000 --dropout 0.1 --out bench-secagg.json`
 *
 * Runs one in-memory round per mode (plain, SecAgg on the complete graph,
 * SecAgg+), prints a table on stdout and progress on stderr, and writes the
 * JSON report when --out is given. A benchmark, not a test: it asserts
 * nothing about speed. Exit codes: 0 done, 1 a round failed or a sum did not
 * verify, 2 invalid flags.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Command } from 'commander';
import { errorMessage, hasCode } from '../common/errors';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { parseBenchFlags } from './parse-flags';
import { compileBenchOptions, type BenchOptions, type BenchOptionsInput } from './bench-options';
import { benchJson, formatReport, machineInfo } from './bench-report';
import type { ModeResult } from './mode-result';
import { runPlainRound } from './plain-round';
import { runSecAggRound } from './secagg-round';

function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

export async function runBench(options: BenchOptions): Promise<ModeResult[]> {
  const results: ModeResult[] = [];
  for (const mode of options.modes) {
    const result = mode === 'plain' ? await runPlainRound(options, progress) : await runSecAggRound(mode, options, progress);
    progress(`[${mode}] done in ${result.runWallSeconds.toFixed(1)} s`);
    results.push(result);
  }
  return results;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('secagg-bench')
    .description('secure-aggregation benchmark: participant time, aggregator time and bytes sent, for plain, SecAgg and SecAgg+')
    .option('--n <n>', 'participants (default 100)', wholeNumberFlag)
    .option('--d <d>', 'elements of each float32 update (default 1000000)', wholeNumberFlag)
    .option('--dropout <fraction>', 'fraction that drops after sharing keys (default 0.1)')
    .option('--out <file>', 'write the JSON report here (default: not written)')
    .option('--modes <list>', 'comma-separated: plain,secagg,secagg+ (default all three)')
    .option('--mask-workers <n>', "aggregator's mask expansion threads; 0 = inline, 1 = one worker (both one core; default 1)", wholeNumberFlag)
    .option('--seed <n>', 'seed for updates, keys and dropouts (default 1)', wholeNumberFlag)
    .option('--degree <k>', 'SecAgg+ neighbour degree (default: what a job derives for n at collusion fraction 0.1 and the --dropout rate)', wholeNumberFlag)
    .option('--threshold <t>', 'SecAgg+ threshold (default: derived with the degree, or the library default for a given --degree)', wholeNumberFlag);
  const stop = parseBenchFlags(program, argv);
  if (stop !== null) return stop;
  const options = compileBenchOptions(program.opts<BenchOptionsInput>());
  const loadAtStart = loadavg();
  const results = await runBench(options);
  const machine = machineInfo(loadAtStart);
  process.stdout.write(`${formatReport(options, results, machine)}\n`);
  if (options.out !== null) {
    writeFileSync(options.out, `${JSON.stringify(benchJson(options, results, machine), null, 2)}\n`);
    progress(`wrote ${options.out}`);
  }
  const unverified = results.filter((result) => result.verification !== null && !(result.verification.sumVerified && result.verification.decodeWithinBound));
  return unverified.length === 0 ? EXIT_CODES.ok : EXIT_CODES.internal;
}

if (require.main === module) {
  main(process.argv)
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`secagg-bench: ${errorMessage(err)}\n`);
      process.exitCode = hasCode(err, 'CONFIG_INVALID') ? EXIT_CODES.config : EXIT_CODES.internal;
    });
}
