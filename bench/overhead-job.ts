/**
 * One configuration of the round-overhead benchmark (n participants, a model
 * of about d parameters, plain or secure aggregation) as a real job: the
 * compiled aggregator and coordinator, started as the process launcher
 * starts them, with per-job mTLS certificates and the run's nats-server, and
 * n participant processes on loopback that answer without training
 * (overhead-participant.ts). Returns what the logs and reports show; the
 * numbers are worked out in overhead-metrics.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { issueJobCertificates } from '../cli/job-certificates';
import { tlsFlagArguments } from '../common/grpc/tls-flags';
import type { BenchFederation } from './bench-federation';
import { compiledScript, startProcess, startReadyProcess, stopProcess, waitForExit, type BenchProcess } from './bench-process';
import type { OverheadParticipantJob, OverheadParticipantResult } from './overhead-participant';
import { PeakMemorySampler, type MemoryReading } from './peak-memory';

export type AggregationMode = 'plain' | 'secure';

export interface OverheadConfig {
  n: number;
  d: number;
  mode: AggregationMode;
  /** Rounds run: the warm-up rounds first, then the measured ones. */
  rounds: number;
  /** Participants hosted by one process (1 unless memory forces more). */
  participantsPerProcess: number;
  timeoutMs: number;
}

/** A single Dense layer whose parameter count units · (inputs + 1) is d, or as close as whole numbers allow. */
export function denseShapeFor(d: number): { inputs: number; units: number; parameters: number } {
  const units = d >= 2000 ? 1000 : 1;
  const inputs = Math.max(1, Math.round(d / units) - 1);
  return { inputs, units, parameters: units * (inputs + 1) };
}

export interface OverheadRun {
  jobId: string;
  parameters: number;
  report: CoordinatorReport;
  /** The aggregator's log, one parsed pino line each. */
  aggregatorLog: Array<Record<string, unknown>>;
  participants: OverheadParticipantResult[];
  memory: { coordinator: MemoryReading; aggregator: MemoryReading };
  /** From starting the aggregator until the coordinator exited. */
  wallSeconds: number;
  dir: string;
}

/** The part of the coordinator's report.json the benchmark reads. */
export interface CoordinatorReport {
  status: string;
  error: { code: string; message: string } | null;
  perRound: Array<{ round: number; seconds: number; contributors: string[] }>;
  wallSeconds: number;
}

export function orgName(index: number): string {
  return `org-${String(index + 1).padStart(3, '0')}`;
}

function writeSpec(dir: string, jobId: string, config: OverheadConfig, orgs: string[]): { path: string; parameters: number } {
  const shape = denseShapeFor(config.d);
  const document = {
    apiVersion: 'shoal/v1',
    jobId,
    requester: 'bench',
    invitedOrgs: orgs,
    dataset: { name: 'bench', features: [`x1..x${shape.inputs}`], label: 'y', labelType: 'binary' },
    model: { type: 'sequential', layers: [{ className: 'Dense', config: { inputShape: [shape.inputs], units: shape.units, activation: 'sigmoid' } }], loss: 'binaryCrossentropy' },
    training: { rounds: config.rounds, localEpochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'sgd' },
    strategy: { name: 'fedavg' },
    // No statistics collection: the measured rounds are fit + evaluation only.
    preprocessing: { normalize: false },
    minParticipants: config.n,
    roundDeadlineSeconds: 900,
    admissionSeconds: 600,
    evaluation: { metrics: ['loss'], validationFraction: 0.2 },
    secureAggregation: { enabled: config.mode === 'secure' },
  };
  const path = join(dir, 'job.yaml');
  writeFileSync(path, stringify(document));
  return { path, parameters: shape.parameters };
}

function readLogLines(path: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut short by the process exiting.
    }
  }
  return lines;
}

export async function runOverheadJob(federation: BenchFederation, scratch: string, config: OverheadConfig, progress: (line: string) => void): Promise<OverheadRun> {
  const jobId = `bench-${config.mode}-n${config.n}-d${config.d}-${Date.now().toString(36)}`;
  const dir = join(scratch, jobId);
  const outDir = join(dir, 'out');
  mkdirSync(outDir, { recursive: true });
  const orgs = Array.from({ length: config.n }, (_, i) => orgName(i));
  const spec = writeSpec(dir, jobId, config, orgs);
  const certificates = await issueJobCertificates(federation.pkiDir, jobId, dir, '127.0.0.1');
  const env = { ...process.env, SHOAL_LOG_LEVEL: 'info' };
  const aggregatorLogPath = join(dir, 'aggregator.log');
  const started = performance.now();
  let aggregator: (BenchProcess & { port: number }) | undefined;
  let coordinator: (BenchProcess & { port: number }) | undefined;
  const participants: BenchProcess[] = [];
  try {
    aggregator = await startReadyProcess('aggregator', compiledScript('aggregator/main.js'), ['--job-id', jobId, '--host', '127.0.0.1', '--port', '0', ...tlsFlagArguments(certificates.aggregator)], aggregatorLogPath, env);
    const aggregatorMemory = new PeakMemorySampler(aggregator.pid);
    const aggregatorAddress = `127.0.0.1:${aggregator.port}`;
    coordinator = await startReadyProcess(
      'coordinator',
      compiledScript('coordinator/main.js'),
      ['--spec', spec.path, '--out', outDir, '--nats', federation.natsUrl, '--aggregator', aggregatorAddress, '--host', '127.0.0.1', '--port', '0', ...tlsFlagArguments(certificates.coordinator), '--nats-tls-cert', federation.regulator.cert, '--nats-tls-key', federation.regulator.key],
      join(dir, 'coordinator.log'),
      env,
    );
    const coordinatorMemory = new PeakMemorySampler(coordinator.pid);
    const coordinatorAddress = `127.0.0.1:${coordinator.port}`;
    const resultPaths: string[] = [];
    for (let first = 0; first < orgs.length; first += config.participantsPerProcess) {
      const group = orgs.slice(first, first + config.participantsPerProcess);
      const job: OverheadParticipantJob = {
        jobId,
        participants: await Promise.all(group.map(async (orgId) => ({ orgId, tls: await federation.participant(orgId) }))),
        coordinatorAddress,
        aggregatorAddress,
        labelType: 'binary',
        resultPath: join(dir, `participants-${first}.result.json`),
      };
      const jobPath = join(dir, `participants-${first}.json`);
      writeFileSync(jobPath, JSON.stringify(job));
      resultPaths.push(job.resultPath);
      participants.push(startProcess(`participants ${group[0]}…`, process.execPath, [compiledScript('bench/overhead-participant.js'), jobPath], join(dir, `participants-${first}.log`)));
    }
    progress(`  ${jobId}: ${participants.length} participant process(es) started`);
    const coordinatorExit = await waitForExit(coordinator, config.timeoutMs);
    const memory = { coordinator: coordinatorMemory.stop(), aggregator: aggregatorMemory.stop() };
    const wallSeconds = (performance.now() - started) / 1000;
    await Promise.all(participants.map((p) => waitForExit(p, 30_000).catch(() => null)));
    await waitForExit(aggregator, 30_000).catch(() => null);
    const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as CoordinatorReport;
    if (coordinatorExit !== 0 || report.status !== 'completed') {
      throw new Error(`the job did not complete (coordinator exit ${coordinatorExit}): ${report.error?.code ?? ''} ${report.error?.message ?? ''} (see ${dir})`);
    }
    const results = resultPaths.flatMap((path) => {
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as OverheadParticipantResult[];
      } catch {
        return [];
      }
    });
    return { jobId, parameters: spec.parameters, report, aggregatorLog: readLogLines(aggregatorLogPath), participants: results, memory, wallSeconds, dir };
  } finally {
    await Promise.all(participants.map((p) => stopProcess(p)));
    await stopProcess(coordinator);
    await stopProcess(aggregator);
  }
}
