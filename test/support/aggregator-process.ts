/** A job's aggregator as its own process on a free port, read back from its ready line. */
import { tlsFlagArguments } from '../../common/grpc/tls-flags';
import type { TlsFiles } from '../../common/pki';
import { parseReadyLine } from '../../common/process-lifecycle';
import type { ProcessTracker } from './process-tracker';
import { compiled } from './repo-paths';
import { CHILD_ENV } from './shoal-processes';
import type { SpawnedProcess } from './spawned-process';

const AGGREGATOR_READY_MS = 15_000;

export interface AggregatorProcess {
  process: SpawnedProcess;
  address: string;
  port: number;
}

export interface AggregatorProcessOptions {
  /** The job's aggregator certificate (role 'aggregator', orgId the job id), e.g. from job-tls.ts. */
  tls: TlsFiles;
  maskWorkers?: number;
  logFile?: string;
}

export async function startAggregator(tracker: ProcessTracker, jobId: string, options: AggregatorProcessOptions): Promise<AggregatorProcess> {
  const args = ['--job-id', jobId, '--port', '0', '--mask-workers', String(options.maskWorkers ?? 0), ...tlsFlagArguments(options.tls)];
  const aggregator = tracker.spawnNode(`aggregator ${jobId}`, compiled.aggregator, args, { env: CHILD_ENV, logFile: options.logFile });
  const stdout = await aggregator.waitForOutput('stdout', /"event":"ready".*\n/, AGGREGATOR_READY_MS);
  const ready = stdout.split('\n').map(parseReadyLine).find((line) => line !== undefined);
  const port = ready?.port;
  if (typeof port !== 'number') throw new Error(`the aggregator's ready line has no port: ${stdout}`);
  return { process: aggregator, address: `127.0.0.1:${port}`, port };
}
