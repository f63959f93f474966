/**
 * The default launcher: the job's aggregator and coordinator as child
 * processes of the regulator's CLI, each bound to a free port.
 */
import { join } from 'node:path';
import { tlsFlagArguments } from '../../common/grpc/tls-flags';
import { componentScript, launchProcess, stopProcess, type LaunchedProcess } from './child-process';
import type { JobLaunch, LaunchedJob, Launcher } from './launcher';

export class ProcessLauncher implements Launcher {
  readonly kind = 'process';

  /** The CLI stops its children on completion, SIGINT and SIGTERM; a CLI killed outright leaves them to their own lifetime limits. */
  async sweep(): Promise<number> {
    return 0;
  }

  async launch(job: JobLaunch): Promise<LaunchedJob> {
    const { spec, outDir, advertiseHost: host } = job;
    let aggregator: LaunchedProcess | undefined;
    let coordinator: LaunchedProcess | undefined;
    const stop = async (): Promise<void> => {
      await stopProcess(coordinator);
      await stopProcess(aggregator);
    };
    try {
      aggregator = await launchProcess('aggregator', componentScript('aggregator'), ['--job-id', spec.jobId, '--host', host, '--port', '0', ...tlsFlagArguments(job.certificates.aggregator)], join(outDir, 'aggregator.log'));
      const aggregatorAddress = `${host}:${aggregator.port}`;
      coordinator = await launchProcess(
        'coordinator',
        componentScript('coordinator'),
        ['--spec', job.specPath, '--out', outDir, '--nats', job.natsUrl, '--aggregator', aggregatorAddress, '--host', host, '--port', '0', ...tlsFlagArguments(job.certificates.coordinator), '--nats-tls-cert', job.natsTls.cert, '--nats-tls-key', job.natsTls.key],
        join(outDir, 'coordinator.log'),
      );
      return { addresses: { coordinator: `${host}:${coordinator.port}`, aggregator: aggregatorAddress }, coordinatorExited: coordinator.exited, stop };
    } catch (err) {
      await stop();
      throw err;
    }
  }
}
