#!/usr/bin/env node
/**
 * `npm run bench:sandbox -- --rounds 5 --out bench-sandbox.json`
 *
 * Trains the credit-default example on one simulated bank's rows, round
 * after round, alternating the process sandbox (a child process of the
 * agent) and the Docker sandbox, and reports how much longer a round takes
 * in the container: median(docker) − median(process) of the wall seconds
 * from start() until wait() resolved. It does the same for a statistics
 * task. A benchmark, not a test: it asserts nothing about speed. Exit
 * codes: 0 done; 1 no Docker engine, no trainer image, or a run failed;
 * 2 invalid flags.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import Dockerode from 'dockerode';
import { errorMessage, hasCode } from '../common/errors';
import { silentLogger } from '../common/logger';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { compileAgentConfig, dockerSandboxFor, ProcessSandbox, type Sandbox } from '../participant-agent';
import { parseBenchFlags } from './parse-flags';
import { machineInfo } from './bench-report';
import { compileSandboxBenchOptions, type SandboxBenchOptions, type SandboxBenchOptionsInput } from './sandbox-bench-options';
import { ensureTrainerImage } from './sandbox-image';
import { compare, formatSandboxReport, sandboxBenchJson, type RunSample, type SandboxBenchResult, type SandboxMode } from './sandbox-report';
import { benchTask, prepareWorkload, readTrainerError, readTrainerResult, writeTaskFolders, type BenchTaskKind, type Workload } from './sandbox-workload';

/** Labels the benchmark's containers, so a run that was interrupted is cleaned up by the next. */
const BENCH_AGENT_ID = 'sandbox-bench';

function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

/** Runs one task in one sandbox and returns its times; throws when the trainer did not succeed. */
async function runOnce(sandbox: Sandbox, workload: Workload, scratch: string, kind: BenchTaskKind, round: number): Promise<RunSample> {
  const mode = sandbox.kind as SandboxMode;
  const task = benchTask(workload.spec, kind, round, sandbox.dataPathInside(workload.dataPath));
  const { inputDir, outputDir } = writeTaskFolders(scratch, `${kind}-${mode}-${round}`, task, workload.initialWeights);
  const started = performance.now();
  const run = await sandbox.start({
    inputDir,
    outputDir,
    dataPath: workload.dataPath,
    timeoutMs: workload.spec.roundDeadlineSeconds * 1000,
    labels: { job: workload.spec.jobId, round: String(round), org: BENCH_AGENT_ID },
  });
  const exit = await run.wait();
  const wallSeconds = (performance.now() - started) / 1000;
  const result = readTrainerResult(outputDir);
  if (exit.exitCode !== 0 || result === undefined) {
    const why = readTrainerError(outputDir) ?? `exit code ${exit.exitCode}, signal ${exit.signal}${exit.timedOut ? ', timed out' : ''}${exit.oomKilled ? ', out of memory' : ''}`;
    throw new Error(`the ${kind} task failed in the ${mode} sandbox (round ${round}): ${why}\n${exit.logs.slice(-2000)}`);
  }
  return { mode, kind, round, wallSeconds, trainerSeconds: result.seconds, backend: result.backend };
}

export async function runSandboxBench(options: SandboxBenchOptions, scratch: string): Promise<{ result: SandboxBenchResult; workload: Workload }> {
  const docker = new Dockerode();
  const image = await ensureTrainerImage(docker, options.image, progress);
  // The bench runs trainers directly, never moderating an offer or joining a job: an empty policy (deny
  // everything) and TLS paths that are never read will do.
  writeFileSync(join(scratch, 'policy.yaml'), '{}\n');
  const config = compileAgentConfig(
    { orgId: BENCH_AGENT_ID, policy: 'policy.yaml', datasets: {}, tls: { ca: 'unused', cert: 'unused', key: 'unused' }, sandbox: { type: 'docker', image: options.image, limits: { cpus: options.cpus } } },
    scratch,
  );
  const dockerSandbox = dockerSandboxFor(config, silentLogger());
  if (!(await dockerSandbox.isAvailable())) throw new Error(await dockerSandbox.describeUnavailable());
  const swept = await dockerSandbox.sweep();
  if (swept > 0) progress(`removed ${swept} container(s) an interrupted run left behind`);
  const processSandbox = new ProcessSandbox();
  if (!(await processSandbox.isAvailable())) throw new Error(await processSandbox.describeUnavailable());

  const workload = await prepareWorkload(scratch, options.rows);
  const samples: RunSample[] = [];
  const total = options.warmup + options.rounds;
  for (let round = 1; round <= total; round++) {
    const warm = round <= options.warmup;
    // Which sandbox goes first alternates, so a drift in the host's speed does not favour either.
    const order = round % 2 === 1 ? [processSandbox, dockerSandbox] : [dockerSandbox, processSandbox];
    const times: string[] = [];
    for (const kind of ['fit', 'statistics'] as const) {
      for (const sandbox of order) {
        const sample = await runOnce(sandbox, workload, scratch, kind, round);
        times.push(`${kind}/${sample.mode} ${sample.wallSeconds.toFixed(3)} s`);
        if (!warm) samples.push(sample);
      }
    }
    progress(`${warm ? 'warm-up' : 'round'} ${warm ? round : round - options.warmup}: ${times.join(', ')}`);
  }
  return {
    result: {
      fit: compare(samples, 'fit'),
      statistics: compare(samples, 'statistics'),
      samples,
      docker: { ...image, limits: { ...config.sandbox.limits } },
    },
    workload,
  };
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('sandbox-bench')
    .description('overhead of the Docker sandbox per round over the process sandbox, training the credit-default example')
    .option('--rounds <n>', 'timed rounds (default 5)', wholeNumberFlag)
    .option('--warmup <n>', 'untimed rounds first (default 1)', wholeNumberFlag)
    .option('--rows <n>', 'rows of credit-default.csv the bank holds (default 4800)', wholeNumberFlag)
    .option('--cpus <n>', "the container's CPU cap (default 1, the agent's default)")
    .option('--image <ref>', 'the trainer image (default shoal-trainer:dev)')
    .option('--out <file>', 'write the JSON report here (default: not written)');
  const stop = parseBenchFlags(program, argv);
  if (stop !== null) return stop;
  const options = compileSandboxBenchOptions(program.opts<SandboxBenchOptionsInput>());
  const loadAtStart = loadavg();
  const scratch = mkdtempSync(join(tmpdir(), 'shoal-sandbox-bench-'));
  try {
    const { result, workload } = await runSandboxBench(options, scratch);
    const machine = machineInfo(loadAtStart);
    const shape = { jobId: workload.spec.jobId, rows: workload.rows, localEpochs: workload.spec.training.localEpochs, batchSize: workload.spec.training.batchSize };
    process.stdout.write(`${formatSandboxReport(options, result, shape, machine)}\n`);
    if (options.out !== null) {
      writeFileSync(options.out, `${JSON.stringify(sandboxBenchJson(options, result, shape, machine), null, 2)}\n`);
      progress(`wrote ${options.out}`);
    }
    return EXIT_CODES.ok;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv)
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`sandbox-bench: ${errorMessage(err)}\n`);
      process.exitCode = hasCode(err, 'CONFIG_INVALID') ? EXIT_CODES.config : EXIT_CODES.internal;
    });
}
